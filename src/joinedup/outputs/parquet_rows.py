"""Rows of Python values written as a Parquet file by DuckDB.

Why DuckDB and not pyarrow: a repeat `joinedup run` otherwise needs nothing from pyarrow, which
with the numpy it loads takes a quarter of a second to import, longer than the rest of a run on
a small store. DuckDB is loaded already, writes Parquet itself, and reads the rows from a CSV
file with the column types given, so nothing is inferred twice.

The columns get the types Arrow would infer for them (`pa.array`): no values at all is Parquet's
null type, true/false boolean, whole numbers int64, any float (with or without whole numbers)
double, text string, dates date32 and timestamps without a time zone timestamp[us]. A column
mixing other kinds is refused, as Arrow refuses it. Floats are exact (written by `repr`, NaN and
infinities included) and an empty text is kept apart from a missing value.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb

from joinedup.store.sql import ident, literal

TEXT = "VARCHAR"
WHOLE = "BIGINT"


def write_parquet(
    path: Path, rows: Sequence[Mapping[str, Any]], columns: Sequence[str], *,
    types: Mapping[str, str] | None = None, metadata: Mapping[str, str] | None = None,
) -> None:
    """`columns` of `rows` (a missing key is null) as the Parquet file `path`.

    `types` fixes a column's type whatever its values (`TEXT` takes `str()` of each value;
    `WHOLE` takes whole numbers), so a column that is all blank in one run has the type it has
    in every other. `metadata` goes into the file's key-value metadata."""
    fixed = dict(types or {})
    values = {c: [row.get(c) for row in rows] for c in columns}
    kinds = {c: fixed.get(c) or _inferred(c, values[c]) for c in columns}
    for column, kind in fixed.items():
        if kind == WHOLE and _inferred(column, values.get(column, [])) not in (WHOLE, "NULL"):
            raise ValueError(f"column {column!r} is whole numbers, but holds other values")
    cells = [[_EMPTY if v is None else cell(v) for v in values[c]]
             for c, cell in ((c, _CELLS.get(kinds[c], str)) for c in columns)]
    handle, staging = tempfile.mkstemp(prefix="joinedup-rows-", suffix=".csv")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(",".join(_text(c) for c in columns) + "\n")
            out.writelines(",".join(line) + "\n" for line in zip(*cells, strict=True))
        _copy(Path(staging), path, kinds, dict(metadata or {}))
    finally:
        os.unlink(staging)


def _inferred(column: str, values: Sequence[Any]) -> str:
    """The DuckDB type Arrow's inference gives `values` ("NULL" when there are none).

    Looked up once per Python type present rather than once per value (a national table has
    200,000 cells): whole numbers are checked for int64's range together, and any other type
    (a datetime, a subclass), or whole numbers out of range, value by value."""
    by_type: dict[type, list[Any]] = {}
    for v in values:
        if v is not None:
            by_type.setdefault(type(v), []).append(v)
    found: set[str | None] = set()
    for kind, members in by_type.items():
        if kind in _SIMPLE_KINDS:
            found.add(_SIMPLE_KINDS[kind])
        elif kind is int and min(members) >= -(2**63) and max(members) < 2**63:
            found.add(WHOLE)
        else:  # another type, or whole numbers beyond int64 (named as Arrow names them)
            found |= {_kind(v) for v in members}
    if not found:
        return "NULL"
    if found == {WHOLE, "DOUBLE"}:
        return "DOUBLE"
    if len(found) == 1 and None not in found:
        return found.pop()  # type: ignore[return-value]
    named = sorted(k or "other" for k in found)
    raise ValueError(f"column {column!r} mixes kinds of value ({', '.join(named)}); a Parquet "
                     "column holds one")


_SIMPLE_KINDS: dict[type, str] = {bool: "BOOLEAN", float: "DOUBLE", str: TEXT, date: "DATE"}
"""Types whose every value has one kind (`_kind`): not int (its range), not datetime (its
time zone)."""


def _kind(value: Any) -> str | None:
    if isinstance(value, bool):
        return "BOOLEAN"
    if isinstance(value, int):
        return WHOLE if -(2**63) <= value < 2**63 else None
    if isinstance(value, float):
        return "DOUBLE"
    if isinstance(value, str):
        return TEXT
    if isinstance(value, datetime):
        return "TIMESTAMP" if value.tzinfo is None else None
    if isinstance(value, date):
        return "DATE"
    return None


def _text(value: Any) -> str:
    return '"' + str(value).replace('"', '""') + '"'


_EMPTY = ""
_CELLS: dict[str, Callable[[Any], str]] = {
    TEXT: _text,
    "BOOLEAN": lambda v: "true" if v else "false",
    "DOUBLE": lambda v: repr(float(v)),
    "DATE": lambda v: str(v.isoformat()),
    "TIMESTAMP": lambda v: str(v.isoformat()),
}
"""How a value of each kind is written in the staged CSV so DuckDB reads it back as it was:
missing is an empty cell, text always quoted (an empty text is `""`, not missing), floats by
`repr` (exact); any other kind (whole numbers) by `str`."""


def _copy(
    csv_path: Path, path: Path, kinds: Mapping[str, str], metadata: Mapping[str, str]
) -> None:
    """Read the staged CSV with the columns' types and write it as Parquet; a column with no
    values is read as text (all empty) and written as Parquet's null type, as Arrow writes it."""
    read_as = ", ".join(f"{literal(c)}: {literal(TEXT if t == 'NULL' else t)}"
                        for c, t in kinds.items())
    read = (f"read_csv({literal(csv_path)}, header = true, auto_detect = false, "
            f"delim = ',', quote = '\"', escape = '\"', nullstr = '', "
            f"allow_quoted_nulls = false, columns = {{{read_as}}})")
    select = ", ".join(f"NULL AS {ident(c)}" if t == "NULL" else ident(c)
                       for c, t in kinds.items())
    options = "FORMAT parquet"
    if metadata:
        pairs = ", ".join(f"{literal(k)}: {literal(v)}" for k, v in metadata.items())
        options += f", KV_METADATA {{{pairs}}}"
    con = duckdb.connect()
    try:
        con.execute(f"COPY (SELECT {select} FROM {read}) TO {literal(path)} ({options})")
    finally:
        con.close()
