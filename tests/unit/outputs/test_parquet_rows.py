"""Rows written as Parquet by DuckDB (outputs.parquet_rows): read back, the very table
`pa.array` makes for every kind of value a run's rows hold, and pyarrow left unimported."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from joinedup.outputs.parquet_rows import TEXT, WHOLE, write_parquet

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
        st.dates(), st.datetimes(), st.one_of(st.integers(-1000, 1000), st.floats(-1e6, 1e6)))],
)


def by_pa_array(rows: list[dict[str, object]], types: dict[str, pa.DataType]) -> pa.Table | None:
    try:
        return pa.table({c: pa.array([r.get(c) for r in rows], type=types.get(c))
                         for c in COLUMNS})
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError):
        return None


def written(path: Path, rows: list[dict[str, object]], **kwargs: object) -> pa.Table:
    write_parquet(path, rows, COLUMNS, **kwargs)  # type: ignore[arg-type]
    return pq.read_table(path)


def same(one: pa.Table, other: pa.Table) -> bool:
    return (one.schema.remove_metadata() == other.schema
            and repr(one.to_pylist()) == repr(other.to_pylist()))


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(COLUMN, min_size=3, max_size=3).filter(lambda cols: len(set(map(len, cols))) == 1))
def test_the_table_is_the_one_pa_array_makes(tmp_path: Path, columns: list[list[object]]) -> None:
    rows = [dict(zip(COLUMNS, values, strict=True)) for values in zip(*columns, strict=True)]
    expected = by_pa_array(rows, {})
    if expected is None:  # pa.array refuses the column: so must this
        with pytest.raises(ValueError, match="mixes kinds of value"):
            write_parquet(tmp_path / "t.parquet", rows, COLUMNS)
        return
    assert same(written(tmp_path / "t.parquet", rows), expected)


def test_fixed_types_convert_as_pa_array_does(tmp_path: Path) -> None:
    rows = [{"a": 12, "b": 3, "c": 1.5}, {"a": "Y1", "b": None, "c": float("nan")}]
    text = [{**r, "a": str(r["a"])} for r in rows]
    expected = by_pa_array(text, {"a": pa.string(), "b": pa.int64()})
    assert expected is not None
    assert same(written(tmp_path / "t.parquet", rows, types={"a": TEXT, "b": WHOLE}), expected)
    with pytest.raises(ValueError, match="'b' is whole numbers"):
        write_parquet(tmp_path / "u.parquet", [{"b": 1.5}], COLUMNS, types={"b": WHOLE})


def test_text_dates_floats_and_gaps_come_through_exactly(tmp_path: Path) -> None:
    rows: list[dict[str, object]] = [
        {"a": date(2026, 3, 31), "b": 0.1 + 0.2, "c": 'a "quoted", two-line\ntext'},
        {"a": None, "b": float("inf"), "c": ""},
        {"b": 1},
    ]
    table = written(tmp_path / "t.parquet", rows, metadata={"joinedup.publication": "it's so"})
    assert table.schema.remove_metadata() == pa.schema(
        [("a", pa.date32()), ("b", pa.float64()), ("c", pa.string())])
    assert table.to_pylist() == [
        {"a": date(2026, 3, 31), "b": 0.30000000000000004, "c": 'a "quoted", two-line\ntext'},
        {"a": None, "b": float("inf"), "c": ""},  # an empty text is not a missing one
        {"a": None, "b": 1.0, "c": None},
    ]
    assert table.schema.metadata == {b"joinedup.publication": b"it's so"}
    no_rows = written(tmp_path / "none.parquet", [])
    assert no_rows.num_rows == 0 and no_rows.schema.types == [pa.null()] * 3
    assert written(tmp_path / "ts.parquet", [{"a": datetime(2026, 3, 31, 9)}]).schema[0].type \
        == pa.timestamp("us")


def test_pyarrow_is_not_imported(tmp_path: Path) -> None:
    script = ("import sys; from datetime import date; from pathlib import Path; "
              "from joinedup.outputs.parquet_rows import write_parquet; "
              f"write_parquet(Path({str(tmp_path / 't.parquet')!r}), "
              "[{'a': 1, 'b': 'x', 'c': date(2026, 3, 31)}], ('a', 'b', 'c')); "
              "print([m for m in ('pyarrow', 'numpy', 'pandas') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
    assert pq.read_table(tmp_path / "t.parquet").num_rows == 1
