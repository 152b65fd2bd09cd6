"""A practice's worklist rows from the engine, on the hand-built dashboard store."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from ibis.backends import BaseBackend

from fixtures.dashboard import (
    DECLINED,
    OPTED_OUT,
    REF,
    SCORE,
    TO_FIND_A,
    TO_FIND_B,
    TO_TREAT_A,
    TO_TREAT_B,
    TREATED,
    dashboard_files,
)
from joinedup.engines.duckdb import connect
from joinedup.engines.patient_level import practice_counts
from joinedup.engines.worklists import practice_worklist_rows
from joinedup.programmes import load_parameters, load_programme, resolve_codelists

AF = load_programme("af")
CODELISTS = resolve_codelists(AF)


@pytest.fixture(scope="module")
def con() -> Iterator[BaseBackend]:
    db, _plan = dashboard_files()
    connection = connect(db, read_only=True)
    yield connection
    connection.disconnect()


def rows(con: BaseBackend, practice: str) -> dict[str, dict[str, object]]:
    found = practice_worklist_rows(con, AF, REF, practice, codelists=CODELISTS)
    return {str(r["nhs_number"]): r for r in found}


def test_only_the_practices_own_listed_patients_with_the_opted_out_included(
        con: BaseBackend) -> None:
    a = rows(con, "A81001")
    assert set(a) == {TO_TREAT_A, TO_FIND_A, OPTED_OUT}  # not TREATED, not DECLINED, no filler
    assert TREATED not in a and DECLINED not in a
    assert a[OPTED_OUT]["opted_out"] is True and a[OPTED_OUT]["eligible"] is True
    assert set(rows(con, "A81002")) == {TO_TREAT_B, TO_FIND_B}


def test_rows_carry_what_the_rules_read(con: BaseBackend) -> None:
    a = rows(con, "A81001")
    assert a[TO_TREAT_A]["last__af"] == date(2020, 1, 10)
    assert a[TO_TREAT_A]["risk_score"] == 3  # age 80 (2) + female (1)
    assert a[TO_FIND_A]["last__doac"] == date(2026, 2, 1)
    assert a[TO_FIND_A]["find_anticoagulant_no_af"] is True
    assert a[TO_FIND_A]["last__af"] is None


def test_counts_leave_the_opted_out_patient_out(con: BaseBackend) -> None:
    parameters = load_parameters(AF)
    counts = {c.practice_code: c for c in practice_counts(con, AF, REF, parameters,
                                                          codelists=CODELISTS)}
    # on the register: TO_TREAT_A, TREATED, DECLINED (OPTED_OUT is left out of analytics)
    assert counts["A81001"].recorded == 3
    assert (counts["A81001"].eligible, counts["A81001"].treated,
            counts["A81001"].exceptions) == (3, 1, 1)


def test_to_assess_is_a_qualifying_computed_score_with_none_recorded(tmp_path: Path) -> None:
    db, _plan = dashboard_files()
    copy = tmp_path / "ics.duckdb"
    shutil.copyfile(db, copy)
    con = connect(copy)
    try:  # TO_TREAT_A (F 80: computed score 3) without her recorded score
        con.raw_sql(f"DELETE FROM clinical_events WHERE snomed_code = '{SCORE}' AND patient_id = "
                    f"(SELECT patient_id FROM patients WHERE nhs_number = '{TO_TREAT_A}')")
        listed = rows(con, "A81001")[TO_TREAT_A]
    finally:
        con.disconnect()
    assert (listed["to_assess"], listed["eligible"], listed["risk_score"]) == (True, False, 3)
    assert listed["value__cha2ds2vasc_score__ever"] is None
