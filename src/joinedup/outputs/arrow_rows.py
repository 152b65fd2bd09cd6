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
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import pyarrow as pa
import pyarrow.json as pj


def rows_to_arrow(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[str],
    types: Mapping[str, pa.DataType] | None = None,
) -> pa.Table:
    """`columns` of `rows` (missing keys are null) as an Arrow table; `types` fixes a column's
    type (its values converted as `pa.array(values, type=...)` would), others are inferred."""
    fixed = dict(types or {})
    values = {c: [row.get(c) for row in rows] for c in columns}
    inferred = {c: _fixed(values[c], fixed[c]) if c in fixed else _kind(values[c])
                for c in columns}
    if not rows or any(t is None for t in inferred.values()):
        return _by_pa_array(values, fixed)
    read_as = pa.schema([(c, pa.string() if t == pa.date32() else t)
                         for c, t in inferred.items()])
    lines = "".join(
        json.dumps({c: _json_value(row.get(c), inferred[c]) for c in columns}) + "\n"
        for row in rows
    )
    table = pj.read_json(io.BytesIO(lines.encode()),
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


def _json_value(value: Any, kind: pa.DataType) -> Any:
    if value is None:
        return None
    if kind == pa.date32():
        return value.isoformat()
    if kind == pa.float64():
        return float(value)
    if kind == pa.string():
        return str(value)
    return value


def _by_pa_array(values: Mapping[str, list[Any]], fixed: Mapping[str, pa.DataType]) -> pa.Table:
    return pa.table({c: pa.array(v, type=fixed.get(c)) for c, v in values.items()})
