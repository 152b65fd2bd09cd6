"""Mutations of valid input files, and the promise every mutated file must keep.

Why: the loader and the importers meet files nobody wrote for them: cut short, saved in another
encoding, with a byte-order mark, a column missing or added, semicolons for commas, Windows line
ends, a repeated header, a field of megabytes, words where numbers go, nothing at all, or
random bytes. Each mutation here turns a valid file into one such file, from a seeded
``random.Random``, so any failure names the seed that reproduces it. Whatever the file, the
answer must be either a report whose counts add up (rows in = loaded + rejected, counted again
here from the database and the file) or one clean line of refusal that left the previous
store byte for byte as it was. Anything else (a traceback) fails the test.
"""

from __future__ import annotations

import csv
import hashlib
import io
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from joinedup.domain.errors import UserError

Mutation = Callable[[random.Random, str], bytes]

JUNK_VALUES = (
    "", " ", "x", "NaN", "inf", "-1", "0", "1e309", "99999999999999999999", "3.5", "TRUE",
    "2020-13-45", "31/02/2020", "1949-12-20 00:00:00", "20-Dec-1949", "\"", "NULL", "£", "é",
    "\u00a0", "\t", "=1+1", "A00001", "CVDP002AF", "Z", "1,234",
)


def rows_of(text: str) -> list[list[str]]:
    """CSV rows of a text; a text the csv module refuses is split naively (it is a mutation)."""
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        return [line.split(",") for line in text.splitlines()]


def text_of(rows: list[list[str]], delimiter: str = ",", line_end: str = "\n") -> str:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, lineterminator=line_end).writerows(rows)
    return out.getvalue()


def _cells(text: str) -> tuple[list[str], list[list[str]]]:
    """The header (at least one cell) and the non-blank rows of a CSV text."""
    rows = rows_of(text) or [[""]]
    return (rows[0] or [""]), [r for r in rows[1:] if r]


def truncate(rng: random.Random, text: str) -> bytes:
    data = text.encode("utf-8")
    return data[: rng.randrange(0, len(data) + 1)]


def latin1(rng: random.Random, text: str) -> bytes:
    header, rows = _cells(text)
    for row in rows:
        if row and rng.random() < 0.5:
            i = rng.randrange(len(row))
            row[i] = row[i] + rng.choice(("é", "£", "ñ", "ß"))
    return text_of([header, *rows]).encode("latin-1", errors="replace")


def utf16(rng: random.Random, text: str) -> bytes:
    return text.encode(rng.choice(("utf-16", "utf-16-le", "utf-16-be")))


def bom(rng: random.Random, text: str) -> bytes:
    return b"\xef\xbb\xbf" + text.encode("utf-8")


def drop_column(rng: random.Random, text: str) -> bytes:
    header, rows = _cells(text)
    i = rng.randrange(len(header))
    return text_of([[c for j, c in enumerate(r) if j != i] for r in [header, *rows]]).encode()


def extra_column(rng: random.Random, text: str) -> bytes:
    header, rows = _cells(text)
    everywhere = rng.random() < 0.5  # or only in some rows: those rows are the wrong width
    body = [[*r, rng.choice(JUNK_VALUES)] if everywhere or rng.random() < 0.3 else r
            for r in rows]
    return text_of([[*header, rng.choice(("extra", "notes", header[0] + "_2"))], *body]).encode()


def wrong_delimiter(rng: random.Random, text: str) -> bytes:
    return text_of(rows_of(text), delimiter=rng.choice((";", "\t", "|"))).encode()


def line_ends(rng: random.Random, text: str) -> bytes:
    return text_of(rows_of(text), line_end=rng.choice(("\r\n", "\r", "\n\n"))).encode()


def duplicate_header(rng: random.Random, text: str) -> bytes:
    header, rows = _cells(text)
    if len(header) < 2:
        return text.encode()
    i, j = rng.sample(range(len(header)), 2)
    header[j] = header[i] if rng.random() < 0.7 else header[i].upper() + " "
    return text_of([header, *rows]).encode()


def huge_field(rng: random.Random, text: str) -> bytes:
    header, rows = _cells(text)
    if not rows:
        rows = [["" for _ in header]]
    row = rng.choice(rows)
    if rng.random() < 0.7:  # one field of megabytes, or over the csv module's 131,072 limit
        row[rng.randrange(len(row))] = rng.choice("x9é") * rng.choice((140_000, 1_100_000))
    else:  # a long field full of separators, quotes and line ends (quoted by the writer)
        row[rng.randrange(len(row))] = "".join(rng.choice(',"\n\rx') for _ in range(2_000))
    return text_of([header, *rows]).encode()


def wrong_types(rng: random.Random, text: str) -> bytes:
    header, rows = _cells(text)
    for _ in range(rng.randint(1, max(1, len(rows)))):
        if not rows:
            break
        row = rng.choice(rows)
        row[rng.randrange(len(row))] = rng.choice(JUNK_VALUES)
    return text_of([header, *rows]).encode()


def empty(rng: random.Random, text: str) -> bytes:
    return rng.choice((b"", b"\n", b"\xef\xbb\xbf", b" "))


def header_only(rng: random.Random, text: str) -> bytes:
    return text.splitlines(keepends=True)[0].encode()


def binary_junk(rng: random.Random, text: str) -> bytes:
    return bytes(rng.randrange(256) for _ in range(rng.randint(1, 5_000)))


def byte_noise(rng: random.Random, text: str) -> bytes:
    data = bytearray(text.encode("utf-8"))
    for _ in range(rng.randint(1, 8)):
        if data:
            data[rng.randrange(len(data))] = rng.choice((0, 0x22, 0x2C, 0x0A, 0x0D, 0xFF, 0xC3))
    return bytes(data)


def repeat_rows(rng: random.Random, text: str) -> bytes:
    header, rows = _cells(text)
    extra = [rng.choice(rows) for _ in range(rng.randint(1, 5))] if rows else []
    body = rows + extra
    rng.shuffle(body)
    return text_of([header, *body]).encode()


def ragged(rng: random.Random, text: str) -> bytes:
    header, rows = _cells(text)
    body = [r[: rng.randrange(len(r))] if r and rng.random() < 0.3 else r for r in rows]
    return text_of([header, *body]).encode()


def header_case(rng: random.Random, text: str) -> bytes:
    header, rows = _cells(text)
    header = [f" {h.upper()} " if rng.random() < 0.5 else h.lower() for h in header]
    return text_of([header, *rows]).encode()


MUTATIONS: dict[str, Mutation] = {
    f.__name__: f
    for f in (
        truncate, latin1, utf16, bom, drop_column, extra_column, wrong_delimiter, line_ends,
        duplicate_header, huge_field, wrong_types, empty, header_only, binary_junk, byte_noise,
        repeat_rows, ragged, header_case,
    )
}


def mutate(rng: random.Random, text: str) -> tuple[bytes, tuple[str, ...]]:
    """One to three mutations in turn (each later one reading the earlier's UTF-8 result)."""
    names = tuple(rng.choice(sorted(MUTATIONS)) for _ in range(rng.choice((1, 1, 1, 2, 3))))
    data = text.encode("utf-8")
    for name in names:
        data = MUTATIONS[name](rng, data.decode("utf-8", errors="replace"))
    return data, names


def digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def csv_records(data: bytes) -> int | None:
    """Data rows in a CSV file as the loader's fixed dialect reads it; None if it cannot."""
    try:
        text = data.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except (UnicodeDecodeError, csv.Error):
        return None
    return sum(1 for r in rows[1:] if r)


@dataclass
class Tally:
    """What the cases came to: outcomes, mutations used, and the cases themselves."""

    outcomes: Counter[str] = field(default_factory=Counter)
    mutations: Counter[str] = field(default_factory=Counter)
    files: Counter[str] = field(default_factory=Counter)

    @property
    def cases(self) -> int:
        return sum(self.outcomes.values())


def refused(exc: BaseException, where: str) -> str:
    """The refusal must be a UserError told in one line; returns its kind for the tally."""
    assert isinstance(exc, UserError), f"{where}: {type(exc).__name__}: {exc}"
    message = str(exc)
    assert message and "\n" not in message and "Traceback" not in message, (where, message)
    return "refused: rejected share" if "rows rejected (" in message else "refused: whole file"


def same_store(db: Path, before: str | None, rejects: Path, rejects_before: str | None,
               where: str) -> None:
    assert digest(db) == before, f"{where}: the previous store changed"
    assert digest(rejects) == rejects_before, f"{where}: the previous rejects CSV changed"
    strays = [p.name for p in db.parent.iterdir() if p.name not in (db.name, rejects.name)]
    assert not strays, f"{where}: left {strays}"


def rejects_in(db: Path) -> Counter[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return Counter({str(t): int(n) for t, n in con.execute(
            "SELECT table_name, count(*) FROM rejects GROUP BY 1").fetchall()})


def rows_in_table(db: Path, table: str) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute(f'SELECT count(*) FROM "{table}"').fetchone()
    assert row is not None
    return int(row[0])


def csv_rejects(path: Path) -> int:
    """Rows in a rejects CSV (its raw rows can hold fields beyond the csv module's limit)."""
    limit = csv.field_size_limit()
    csv.field_size_limit(1 << 30)
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            return sum(1 for _ in csv.DictReader(handle))
    finally:
        csv.field_size_limit(limit)
