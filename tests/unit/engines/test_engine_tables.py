"""Contract tables on a backend: schemas, absent optional tables, loading rows; small tables
of Python values."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date, datetime

import ibis
import pytest

from joinedup.domain import contract
from joinedup.engines.duckdb import connect
from joinedup.engines.tables import (
    contract_schema,
    contract_table,
    create_contract_tables,
    in_memory,
)


def test_contract_types_map_to_ibis_types():
    schema = contract_schema(contract.PATIENTS)
    assert str(schema["patient_id"]) == "int64"
    assert str(schema["birth_date"]) == "date"
    assert str(schema["opted_out"]) == "boolean"
    assert str(contract_schema(contract.CLINICAL_EVENTS)["numeric_value"]) == "float64"
    assert str(contract_schema(contract.ENCOUNTERS)["start"]) == "timestamp"
    assert tuple(schema.names) == contract.PATIENTS.column_names


def test_an_absent_optional_table_reads_as_empty_with_the_contract_columns():
    con = connect()
    events = contract_table(con, "clinical_events")
    assert tuple(events.columns) == contract.CLINICAL_EVENTS.column_names
    assert events.count().execute() == 0


def test_an_absent_required_table_is_an_error_naming_it():
    with pytest.raises(LookupError, match="no 'patients' table"):
        contract_table(connect(), "patients")


def test_rows_load_into_every_contract_table_and_are_never_overwritten():
    con = connect()
    row = {
        "patient_id": 7,
        "date": date(2024, 1, 2),
        "snomed_code": "49436004",
        "numeric_value": None,
    }
    create_contract_tables(con, {"clinical_events": [row]})
    assert contract_table(con, "clinical_events").to_pyarrow().to_pylist() == [row]
    assert contract_table(con, "patients").count().execute() == 0
    with pytest.raises(ValueError, match="already has contract tables"):
        create_contract_tables(con, {})


def test_an_unknown_table_name_is_refused():
    with pytest.raises(KeyError, match="not tables of the data contract"):
        create_contract_tables(connect(), {"patient": []})


def test_a_table_of_python_values_keeps_its_schema_and_rows():
    schema = ibis.schema({"code": "string", "list": "int32", "day": "date", "months": "int64"})
    table = in_memory({"code": ["a", "b", None], "list": [0, 1, 2],
                       "day": [date(2024, 3, 31), None, date(2023, 1, 1)],
                       "months": [6, 12, -(2**62)]}, schema)
    assert table.schema() == schema
    assert connect().ibis.to_pyarrow(table).to_pylist() == [
        {"code": "a", "list": 0, "day": date(2024, 3, 31), "months": 6},
        {"code": "b", "list": 1, "day": None, "months": 12},
        {"code": None, "list": 2, "day": date(2023, 1, 1), "months": -(2**62)},
    ]
    empty = in_memory({"code": []}, ibis.schema({"code": "string"}))
    assert empty.schema() == ibis.schema({"code": "string"})
    assert connect().ibis.to_pyarrow(empty).num_rows == 0


def test_a_long_table_keeps_its_rows_in_order():
    codes = [f"{n:06d}" for n in range(20_000)]
    table = in_memory({"code": codes, "list": [n % 16 for n in range(20_000)]},
                      ibis.schema({"code": "string", "list": "int32"}))
    rows = table.op().data.to_pyarrow(table.schema()).to_pylist()
    assert rows == [{"code": c, "list": n % 16} for n, c in enumerate(codes)]


def test_columns_of_different_lengths_are_refused():
    with pytest.raises(ValueError, match="different lengths"):
        in_memory({"a": [1, 2], "b": [1]}, ibis.schema({"a": "int64", "b": "int64"}))


@pytest.mark.parametrize(("kind", "value"), [
    ("int64", 1.5), ("int64", True), ("int32", "1"), ("string", 1), ("date", "2024-01-01"),
    ("date", datetime(2024, 1, 1)), ("float64", "0.5"), ("boolean", 1),
])
def test_a_value_of_the_wrong_type_is_refused_not_cast(kind: str, value: object):
    wrong = f"column 'a' .*{re.escape(repr(value))} is not of that type"
    with pytest.raises(ValueError, match=wrong):
        in_memory({"a": [None, value]}, ibis.schema({"a": kind}))


def test_columns_must_match_the_schema():
    with pytest.raises(ValueError, match="do not match"):
        in_memory({}, ibis.schema({}))
    with pytest.raises(ValueError, match="do not match"):
        in_memory({"a": [1], "b": [2]}, ibis.schema({"a": "int64"}))


def test_building_a_query_with_its_small_tables_imports_no_pandas():
    """Turning Python values into Arrow imports pandas (pyarrow looks for pandas objects), a
    quarter to half a second of every first run for nothing it uses."""
    script = (
        "import sys\n"
        "from datetime import date\n"
        "import ibis\n"
        "from joinedup.engines.tables import in_memory\n"
        "t = in_memory({'day': [date(2024, 3, 31)], 'n': [1]},"
        " ibis.schema({'day': 'date', 'n': 'int64'}))\n"
        "t.op().data.to_pyarrow(t.schema())\n"
        "print('pandas' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "False"
