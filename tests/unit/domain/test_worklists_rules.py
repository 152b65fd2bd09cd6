"""Worklist membership, reasons, last recorded and sorting (domain/worklists.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from joinedup.domain.worklists import (
    Recorded,
    WorklistEntry,
    WorklistKind,
    codelist_label,
    entries,
    listed,
    sort_entries,
)
from joinedup.programmes import load_programme

ON = date(2026, 3, 31)
"""A day of QOF 2025-26, under AF008."""

AF = load_programme("af")
HYPERTENSION = load_programme("hypertension")


def row(**flags: Any) -> dict[str, Any]:
    base = {"patient_id": 1, "nhs_number": "9000000009", "age": 80, "sex": "F",
            "risk_score": 3, "on_register": True, "eligible": True, "treated": False,
            "exception": False, "to_assess": False, "risk_c": False, "risk_h": True,
            "risk_a2": True, "risk_d": False, "risk_s2": False, "risk_v": False,
            "risk_a": False, "risk_sc": True}
    base.update({f"find_{r.key}": False for r in AF.casefinder})
    base.update(flags)
    return base


def test_to_treat_is_eligible_untreated_without_an_exception() -> None:
    assert listed(WorklistKind.TO_TREAT, row(), AF)
    assert not listed(WorklistKind.TO_TREAT, row(treated=True), AF)
    assert not listed(WorklistKind.TO_TREAT, row(exception=True), AF)
    assert not listed(WorklistKind.TO_TREAT, row(eligible=False), AF)


def test_to_find_is_any_casefinder_rule_and_to_assess_is_the_flag() -> None:
    assert not listed(WorklistKind.TO_FIND, row(), AF)
    assert listed(WorklistKind.TO_FIND, row(find_irregular_pulse_no_af=True), AF)
    assert listed(WorklistKind.TO_ASSESS, row(to_assess=True), AF)
    assert not listed(WorklistKind.TO_ASSESS, row(), AF)


def test_reasons_name_the_score_and_its_parts_and_the_rule_not_met() -> None:
    (entry,) = entries(WorklistKind.TO_TREAT, [row()], AF, ON)
    assert entry.reasons == (
        "On the register; CHA2DS2-VASc 3 (hypertension, age 75 or over, sex category female)",
        "Not treated (QOF AF008 (2023-24 on): a DOAC issued in the last 6 months, or a vitamin K "
        "antagonist where a DOAC is unsuitable)",
        "No exception recorded",
    )
    # The treated rule in force on the day: QOF AF007 to March 2023 (QOF business rules).
    (before,) = entries(WorklistKind.TO_TREAT, [row()], AF, date(2023, 3, 31))
    assert before.reasons[1] == ("Not treated (QOF AF007 (to 2022-23): a DOAC or vitamin K "
                                 "antagonist issued in the last 6 months)")
    found = entries(WorklistKind.TO_FIND, [row(find_anticoagulant_no_af=True,
                                               find_irregular_pulse_no_af=True)], AF, ON)
    assert found[0].reasons == ("On an anticoagulant (last 6 months) with no AF code",
                                "Irregular pulse recorded with no AF code")
    (assess,) = entries(WorklistKind.TO_ASSESS, [row(to_assess=True)], AF, ON)
    assert assess.reasons[-1] == "No CHA2DS2-VASc recorded"


def test_a_programme_without_a_risk_score_shows_none() -> None:
    flags = {"patient_id": 7, "nhs_number": None, "age": 60, "sex": "M", "risk_score": 0,
             "eligible": True, "treated": False, "exception": False}
    (entry,) = entries(WorklistKind.TO_TREAT, [flags], HYPERTENSION, ON)
    assert entry.risk_score is None
    assert entry.reasons[0] == "On the register"
    assert entry.audit_id == "id:7"  # no NHS number: the internal id goes to the audit log


def test_last_recorded_lists_dates_newest_first_then_readings() -> None:
    (entry,) = entries(WorklistKind.TO_TREAT, [row(**{
        "last__af": date(2020, 1, 10), "last__doac": date(2025, 1, 1), "last__diabetes": None,
        "value__systolic_bp__12": 150.0})], AF, ON)
    assert entry.last_recorded == (
        Recorded("DOAC", day=date(2025, 1, 1)), Recorded("AF", day=date(2020, 1, 10)),
        Recorded("latest systolic BP (last 12 months)", value=150.0))
    assert entry.as_row()["last_recorded"] == (
        "DOAC 2025-01-01; AF 2020-01-10; latest systolic BP (last 12 months) 150")
    assert codelist_label("stroke_tia_te") == "stroke TIA TE"


def _entry(nhs: str, age: int | None, score: int | None) -> WorklistEntry:
    return WorklistEntry(patient_id=nhs, nhs_number=nhs, age=age, sex="F", risk_score=score,
                         reasons=(), last_recorded=())


def test_sorting_puts_unknown_values_last_either_way_and_breaks_ties_by_nhs_number() -> None:
    found = [_entry("3", 70, 2), _entry("1", None, 5), _entry("2", 80, 2)]
    assert [e.nhs_number for e in sort_entries(found, "age", True)] == ["2", "3", "1"]
    assert [e.nhs_number for e in sort_entries(found, "age", False)] == ["3", "2", "1"]
    assert [e.nhs_number for e in sort_entries(found, "risk_score", True)] == ["1", "2", "3"]
    with pytest.raises(KeyError):
        sort_entries(found, "name", True)

