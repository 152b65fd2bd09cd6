"""Reading a published CSV row by row, keeping every row it turns away with the reason why.

Why one module for every aggregate importer (QOF, list sizes, CVDPREVENT, ODS, IMD): they share
one promise — each row of a file is either loaded or rejected with its file, row, field and
reason, never dropped or zeroed — and one way of keeping it. A whole-file problem (missing,
unreadable, a header without the columns a layout needs) is a ``SourceFileError`` naming the
file; anything wrong with one row is a ``Reject``. ``Imported`` refuses counts that lose rows.

Rejects carry the row exactly as the file had it (for whoever fixes the extract) but messages
never quote values beyond codes, numbers and field names.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from joinedup.domain.errors import UserError

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)

PRACTICE_CODE = re.compile(r"^[A-Z][0-9]{5}$")
"""An English GP practice's ODS code: one letter and five digits (e.g. B86003)."""

_WHOLE = re.compile(r"^[+]?[0-9]+(?:\.0+)?$")
_NUMBER = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$")


class SourceFileError(UserError):
    """A file that cannot be read as its published layout; the message names the file."""


@dataclass(frozen=True)
class Reject:
    """One row turned away: where it was, the first field at fault and every reason found."""

    table: str
    file_name: str
    row_number: int  # 1-based data row (a header is not a row)
    line_number: int | None  # the file line the row ends on (CSV only)
    field: str
    reason: str
    raw: Mapping[str, str]
    reasons: tuple[str, ...] = ()  # each problem on its own, as ``reason`` lists them

    def problems(self) -> tuple[str, ...]:
        """Each problem found in the row (for counting rejects by reason)."""
        return self.reasons or (self.reason,)


@dataclass(frozen=True)
class Imported(Generic[T]):
    """What an importer made of one file: the good rows and the rejects, which add up."""

    table: str
    file_name: str
    rows_in: int
    rows: tuple[T, ...]
    rejects: tuple[Reject, ...]

    def __post_init__(self) -> None:
        if self.rows_in != len(self.rows) + len(self.rejects):
            raise AssertionError(
                f"{self.file_name}: {self.rows_in} rows in but {len(self.rows)} loaded + "
                f"{len(self.rejects)} rejected; rows would be lost"
            )

    @property
    def loaded(self) -> int:
        return len(self.rows)

    @property
    def rejected(self) -> int:
        return len(self.rejects)


@dataclass
class RowProblems:
    """The problems found in one row, in check order; the first names the field at fault."""

    items: list[tuple[str, str]] = field(default_factory=list)

    def add(self, field_name: str, reason: str) -> None:
        self.items.append((field_name, reason))

    def __bool__(self) -> bool:
        return bool(self.items)

    def reject(
        self, table: str, path: Path, row: int, line: int | None, raw: Mapping[str, str]
    ) -> Reject:
        return Reject(
            table=table,
            file_name=path.name,
            row_number=row,
            line_number=line,
            field=self.items[0][0],
            reason="; ".join(reason for _field, reason in self.items),
            raw=dict(raw),
            reasons=tuple(reason for _field, reason in self.items),
        )


@dataclass(frozen=True)
class CsvRow:
    """One data row: its 1-based number, the file line it ends on and its cells by column.

    ``width_error`` says why a row with the wrong number of fields cannot be read; its cells
    are then keyed by header name as far as they go, and by position beyond.
    """

    number: int
    line: int
    cells: dict[str, str]
    width_error: str | None = None


def shown(names: Sequence[str], limit: int = 20) -> str:
    """Header names for a message: one line, each cut short, at most ``limit`` of them.

    A malformed header (an unclosed quote) can swallow the rest of the file into one "name";
    a message must stay one line and must not quote the rows.
    """
    cut = [" ".join(n.split())[:40] + ("…" if len(" ".join(n.split())) > 40 else "")
           for n in names[:limit]]
    return ", ".join(cut) + (f", … ({len(names) - limit} more)" if len(names) > limit else "")


def clean_header(name: str) -> str:
    """A header cell as compared: byte-order mark, spaces and case removed."""
    return name.replace("\ufeff", "").strip().upper()


def open_text(path: Path) -> list[str]:
    """The file's header cells; SourceFileError if it is missing, not UTF-8 or empty."""
    path = Path(path)
    if not path.is_file():
        raise SourceFileError(f"{path}: file not found")
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            header = next(csv.reader(handle), None)
    except UnicodeDecodeError:
        raise SourceFileError(f"{path}: not UTF-8 text") from None
    except (OSError, csv.Error) as exc:
        raise SourceFileError(f"{path}: cannot be read ({exc})") from None
    if not header or not any(cell.strip() for cell in header):
        raise SourceFileError(f"{path}: empty; expected a header row naming the columns")
    return header


def find_columns(
    path: Path, header: Sequence[str], wanted: Mapping[str, Sequence[str]], layout: str
) -> dict[str, int]:
    """Index of each wanted column: our name -> the first of its accepted header names present.

    ``wanted`` maps our name to the names the publishers have used for it (e.g. list size:
    PATIENT_LIST_SIZE or PRACTICE_LIST_SIZE). Raises SourceFileError listing what is missing.
    """
    cleaned = [clean_header(h) for h in header]
    repeated = sorted({h for h in cleaned if h and cleaned.count(h) > 1})
    if repeated:
        raise SourceFileError(f"{path}: column(s) named more than once: {shown(repeated)}")
    found: dict[str, int] = {}
    missing: list[str] = []
    for ours, names in wanted.items():
        present = [n for n in names if n.upper() in cleaned]
        if len(present) > 1:
            raise SourceFileError(
                f"{path}: has both {' and '.join(present)}; keep one (they mean the same)"
            )
        if present:
            found[ours] = cleaned.index(present[0].upper())
        else:
            missing.append(" or ".join(names))
    if missing:
        raise SourceFileError(
            f"{path}: not a {layout} file: missing column(s) {', '.join(missing)} "
            f"(found: {shown(header)})"
        )
    return found


def open_columns(
    path: Path, wanted: Mapping[str, Sequence[str]], layout: str
) -> tuple[list[str], dict[str, int], dict[str, str]]:
    """The header, each wanted column's index, and the name this file gives it (for messages).

    Messages name a column as the file spells it, so whoever fixes the extract can find it.
    """
    header = open_text(path)
    index = find_columns(path, header, wanted, layout)
    return header, index, {ours: header[i].strip() for ours, i in index.items()}


def csv_rows(path: Path, *, header: bool = True, width: int | None = None) -> Iterator[CsvRow]:
    """Every data row of a CSV file in order, as cells keyed by header name (or by position).

    A row with a different number of fields from the header is still yielded, with
    ``width_error`` set, so the importer can reject it with a reason; a malformed file (an
    unclosed quote) raises SourceFileError.
    """
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle, strict=True)
            names: list[str] | None = None
            if header:
                first = next(reader, None)
                names = [h.strip() for h in first] if first else []
            expected = len(names) if names is not None else width
            number = 0
            for cells in reader:
                if not cells:
                    continue  # a blank line holds no row
                number += 1
                keys = [
                    names[i] if names is not None and i < len(names) else str(i)
                    for i in range(len(cells))
                ]
                values = dict(zip(keys, cells, strict=True))
                if expected is not None and len(cells) != expected:
                    why = f"expected {expected} fields, found {len(cells)}"
                    yield CsvRow(number, reader.line_num, values, why)
                    continue
                yield CsvRow(number, reader.line_num, values)
    except UnicodeDecodeError:
        raise SourceFileError(f"{path}: not UTF-8 text") from None
    except csv.Error as exc:
        raise SourceFileError(f"{path}: not a well-formed CSV file ({exc})") from None


def read_rows(
    table: str, path: Path, parse: Callable[[CsvRow, RowProblems], T | None]
) -> Imported[T]:
    """Every data row of ``path``, each either made into a ``T`` by ``parse`` or rejected.

    Why one loop: the promise that every row is loaded or rejected with its reasons is kept
    here once. A row with the wrong number of fields is rejected without being parsed;
    ``parse`` notes each problem it finds in the row and returns the row it made, and any
    problem noted rejects the row (``parse`` may then return None).
    """
    rows: list[T] = []
    rejects: list[Reject] = []
    rows_in = 0
    for row in csv_rows(path):
        rows_in += 1
        problems = RowProblems()
        made: T | None = None
        if row.width_error:
            problems.add("*", row.width_error)
        else:
            made = parse(row, problems)
        if problems:
            rejects.append(problems.reject(table, path, row.number, row.line, row.cells))
            continue
        assert made is not None, f"{path.name} row {row.number}: parsed to nothing, no reason"
        rows.append(made)
    return Imported(table, path.name, rows_in, tuple(rows), tuple(rejects))


def check_repeat(problems: RowProblems, seen: Mapping[K, int], key: K, same: str) -> None:
    """Notes a row whose key an earlier loaded row had (``seen``: key -> that row's number).

    Checked only on an otherwise good row, so a repeat is never blamed on a broken row;
    ``same`` says what the two rows share (e.g. "same practice and group").
    """
    if not problems and key in seen:
        problems.add("*", f"repeats row {seen[key]} ({same})")


def cell(row: CsvRow, header: Sequence[str], index: int) -> str:
    """The stripped text of a column by its index in the header."""
    return row.cells.get(header[index].strip(), "").strip()


def whole_number(text: str) -> int | None:
    """A count written as digits (``12`` or ``12.0``); None if it is not one."""
    text = text.strip().replace(",", "") if _looks_grouped(text) else text.strip()
    if not _WHOLE.match(text):
        return None
    return int(float(text))


def number(text: str) -> float | None:
    """A decimal number; None if the text is not one."""
    text = text.strip()
    if not _NUMBER.match(text):
        return None
    return float(text)


def _looks_grouped(text: str) -> bool:
    """``1,234`` — a thousands separator, as spreadsheets sometimes write counts."""
    return bool(re.match(r"^\s*[0-9]{1,3}(,[0-9]{3})+\s*$", text))


def check_count(problems: RowProblems, column: str, text: str) -> int | None:
    """A whole number of patients, 0 or more; notes the problem otherwise."""
    if text == "":
        problems.add(column, f"{column} is blank (a missing count is not zero)")
        return None
    value = whole_number(text)
    if value is None:
        problems.add(column, f"{column} is not a whole number of 0 or more")
    return value


def check_practice(problems: RowProblems, column: str, text: str) -> str:
    """A practice code, upper-cased; notes blank or malformed codes."""
    code = text.strip().upper()
    if not code:
        problems.add(column, f"{column} is blank")
    elif not PRACTICE_CODE.match(code):
        problems.add(column, f"{column} is not a GP practice code (a letter and five digits)")
    return code
