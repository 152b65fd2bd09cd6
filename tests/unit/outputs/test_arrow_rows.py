"""Rows to Arrow through Arrow's JSON reader (outputs.arrow_rows): the very table `pa.array`
makes, for every kind of value a run's rows hold, and pandas left unimported."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from joinedup.outputs import arrow_rows
from joinedup.outputs.arrow_rows import rows_to_arrow


@pytest.fixture(autouse=True)
def _through_json(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test process has pandas loaded (which sends rows to pa.array): test the JSON path."""
    monkeypatch.setattr(arrow_rows, "_pandas_loaded", lambda: False)

COLUMNS = ("a", "b", "c")
VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=8),
    st.dates(), st.datetimes(),
)
# A column is mostly one kind, as a run's columns are, sometimes mixed.
COLUMN = st.one_of(
    st.lists(VALUES, min_size=1, max_size=6),
    *[st.lists(st.one_of(st.none(), kind), min_size=1, max_size=6) for kind in (
        st.booleans(), st.integers(-(2**63), 2**63 - 1), st.floats(), st.text(max_size=8),
        st.dates(), st.one_of(st.integers(-1000, 1000), st.floats(-1e6, 1e6)))],
)


def by_pa_array(rows: list[dict[str, object]], types: dict[str, pa.DataType]) -> pa.Table | None:
    try:
        return pa.table({c: pa.array([r.get(c) for r in rows], type=types.get(c))
                         for c in COLUMNS})
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError):
        return None


def same(one: pa.Table, other: pa.Table) -> bool:
    return one.schema == other.schema and repr(one.to_pylist()) == repr(other.to_pylist())


@settings(deadline=None)  # the first example pays for Arrow's first conversions
@given(st.lists(COLUMN, min_size=3, max_size=3).filter(lambda cols: len(set(map(len, cols))) == 1))
def test_the_table_is_the_one_pa_array_makes(columns: list[list[object]]) -> None:
    rows = [dict(zip(COLUMNS, values, strict=True)) for values in zip(*columns, strict=True)]
    expected = by_pa_array(rows, {})
    if expected is None:  # pa.array refuses the column: so must this
        try:
            rows_to_arrow(rows, COLUMNS)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError):
            return
        raise AssertionError("accepted a column pa.array refuses")
    assert same(rows_to_arrow(rows, COLUMNS), expected)


def test_fixed_types_convert_as_pa_array_does() -> None:
    rows = [{"a": 12, "b": 3, "c": 1.5}, {"a": "Y1", "b": None, "c": float("nan")}]
    types = {"a": pa.string(), "b": pa.int64()}
    text = [{**r, "a": str(r["a"])} for r in rows]
    assert same(rows_to_arrow(rows, COLUMNS, types), by_pa_array(text, types))


def test_dates_floats_and_gaps_come_through_exactly() -> None:
    rows = [{"a": date(2026, 3, 31), "b": 0.1 + 0.2, "c": None},
            {"a": None, "b": float("inf"), "c": None}, {"b": 1}]
    table = rows_to_arrow(rows, COLUMNS)
    assert table.schema == pa.schema([("a", pa.date32()), ("b", pa.float64()), ("c", pa.null())])
    assert table.to_pylist() == [{"a": date(2026, 3, 31), "b": 0.30000000000000004, "c": None},
                                 {"a": None, "b": float("inf"), "c": None},
                                 {"a": None, "b": 1.0, "c": None}]
    assert rows_to_arrow([{"a": datetime(2026, 3, 31, 9)}], ("a",)).schema[0].type != pa.date32()


def test_pandas_is_not_imported() -> None:
    script = ("import sys; from datetime import date; "
              "from joinedup.outputs.arrow_rows import rows_to_arrow; "
              "rows_to_arrow([{'a': 1, 'b': 'x', 'c': date(2026, 3, 31)}], ('a', 'b', 'c')); "
              "print('pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
