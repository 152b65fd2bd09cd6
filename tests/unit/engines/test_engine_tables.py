"""Contract tables on a backend: schemas, absent optional tables, loading rows."""

from __future__ import annotations

from datetime import date

import pytest

from joinedup.domain import contract
from joinedup.engines.duckdb import connect
from joinedup.engines.tables import contract_schema, contract_table, create_contract_tables


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
