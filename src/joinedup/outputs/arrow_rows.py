"""Rows of Python values as an Arrow table, read through Arrow's own JSON reader.

Why not `pa.array(values)`: pyarrow imports pandas (a third of a second) the first time it turns
Python objects into an array, to check whether they are pandas objects, and nothing else in a
repeat `joinedup run` needs pandas. Arrow's JSON reader parses in C++ and never looks for it.
The table is the one `pa.array` would make: the same inferred types (null, bool, int64, double,
string, date32), floats exact (JSON keeps the shortest repr, which reads back to the same
double; NaN and infinities included), and any column whose values are not all of one of those
kinds falls back to `pa.array` itself, so nothing is read differently.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import pyarrow as pa
import pyarrow.json as pj


def rows_to_arrow(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[str],
    types: Mapping[str, pa.DataType] | None = None,
) -> pa.Table:
    """`columns` of `rows` (missing keys are null) as an Arrow table; `types` fixes a column's
    type (a text column takes `str()` of each value, any other is converted as
    `pa.array(values, type=...)` would), the others are inferred."""
    fixed = dict(types or {})
    values = {c: [row.get(c) for row in rows] for c in columns}
    if _pandas_loaded():  # nothing left to save, and pa.array is quicker
        return _by_pa_array(values, fixed)
    inferred = {c: _fixed(values[c], fixed[c]) if c in fixed else _kind(values[c])
                for c in columns}
    if not rows or any(t is None for t in inferred.values()):
        return _by_pa_array(values, fixed)
    read_as = pa.schema([(c, pa.string() if t == pa.date32() else t)
                         for c, t in inferred.items()])
    # JSON writes ints, floats (NaN and infinities too), bools, text and null as they are; dates
    # go as ISO text (cast below) and fixed text columns as str().
    converted = [(c, _CONVERT[t]) for c, t in inferred.items() if t in _CONVERT]
    lines = []
    for row in rows:
        record = {c: row.get(c) for c in columns}
        for column, convert in converted:
            if record[column] is not None:
                record[column] = convert(record[column])
        lines.append(json.dumps(record))
    table = pj.read_json(io.BytesIO("\n".join(lines).encode()),
                         parse_options=pj.ParseOptions(explicit_schema=read_as))
    return table.cast(pa.schema(list(inferred.items())))


def _fixed(values: Sequence[Any], kind: pa.DataType) -> pa.DataType | None:
    """`kind` if this reader converts `values` to it as `pa.array(values, type=kind)` does
    (text from anything, whole numbers from ints), else None."""
    if kind == pa.string():
        return kind
    if kind == pa.int64() and _kind(values) in (pa.int64(), pa.null()):
        return kind
    return None


def _kind(values: Sequence[Any]) -> pa.DataType | None:
    """The type `pa.array` infers for values all of one kind (None: mixed or another kind)."""
    present = [v for v in values if v is not None]
    kinds = {_scalar_kind(v) for v in present}
    if not present:
        return pa.null()
    if kinds == {"int", "float"}:
        return pa.float64()
    if len(kinds) != 1:
        return None
    return {"bool": pa.bool_(), "int": pa.int64(), "float": pa.float64(), "str": pa.string(),
            "date": pa.date32()}.get(kinds.pop())


def _scalar_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int" if -(2**63) <= value < 2**63 else "other"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "str"
    if isinstance(value, date) and not isinstance(value, datetime):
        return "date"
    return "other"


_CONVERT: dict[pa.DataType, Callable[[Any], str]] = {pa.date32(): date.isoformat, pa.string(): str}


def _pandas_loaded() -> bool:
    return "pandas" in sys.modules


def _by_pa_array(values: Mapping[str, list[Any]], fixed: Mapping[str, pa.DataType]) -> pa.Table:
    def array(column: str, values: list[Any]) -> pa.Array:
        kind = fixed.get(column)
        if kind == pa.string():
            values = [None if v is None else str(v) for v in values]
        return pa.array(values, type=kind)

    return pa.table({c: array(c, v) for c, v in values.items()})
