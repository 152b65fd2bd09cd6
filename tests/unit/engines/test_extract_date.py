"""A patient-level store's extract date (PatientLevelStore.period_end): the latest dated record in
any dated table, whichever table holds it, and none when no table has a dated row."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from joinedup.engines.duckdb import connect
from joinedup.engines.patient_level import PatientLevelStore
from joinedup.engines.tables import create_contract_tables


def extract_date(tmp_path: Path, events: list[date], medications: list[date]) -> date | None:
    con = connect(tmp_path / "store.duckdb")
    create_contract_tables(con, {
        "clinical_events": [{"patient_id": 1, "date": d, "snomed_code": "49436004",
                             "numeric_value": None} for d in events],
        "medications": [{"patient_id": 1, "date": d, "dmd_code": "123"} for d in medications],
    })
    try:
        return PatientLevelStore().period_end(con)
    finally:
        con.disconnect()


@pytest.mark.parametrize(
    ("events", "medications", "expected"),
    [
        ([date(2025, 1, 5), date(2026, 3, 2)], [date(2026, 3, 30)], date(2026, 3, 30)),
        ([date(2026, 3, 31)], [date(2020, 1, 1), date(2026, 2, 1)], date(2026, 3, 31)),
        ([date(2024, 6, 1)], [], date(2024, 6, 1)),  # one table empty
        ([], [], None),  # nothing dated: the caller asks for a date
    ],
)
def test_the_extract_date_is_the_latest_record_of_any_dated_table(
    tmp_path: Path, events: list[date], medications: list[date], expected: date | None
) -> None:
    assert extract_date(tmp_path, events, medications) == expected
