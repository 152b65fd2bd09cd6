"""A practice's worklist rows from the engine, on the hand-built dashboard store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import ibis
import pytest
from ibis.backends import BaseBackend

from fixtures.dashboard import (
    DECLINED,
    OPTED_OUT,
    REF,
    TO_FIND_A,
    TO_FIND_B,
    TO_TREAT_A,
    TO_TREAT_B,
    TREATED,
    dashboard_files,
)
from joinedup.engines.duckdb import connect
from joinedup.engines.measures import practice_counts
from joinedup.engines.worklists import practice_worklist_rows, to_assess
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


def test_to_assess_uses_the_engines_own_flag_when_it_has_one() -> None:
    own = ibis.memtable({"to_assess": [True, False], "on_register": [True, True],
                         "risk_score": [0, 5], "eligible": [False, False]})
    assert own.select(flag=to_assess(own, AF)).to_pyarrow()["flag"].to_pylist() == [
        True, False]


def test_to_assess_until_then_is_a_qualifying_computed_score_without_eligibility() -> None:
    flags = ibis.memtable({"on_register": [True, True, True, False],
                           "risk_score": [3, 3, 1, 3],
                           "eligible": [True, False, False, False]})
    got = flags.select(flag=to_assess(flags, AF)).to_pyarrow()["flag"].to_pylist()
    assert got == [False, True, False, False]
    assert to_assess(flags, load_programme("hypertension")).equals(ibis.literal(False))
