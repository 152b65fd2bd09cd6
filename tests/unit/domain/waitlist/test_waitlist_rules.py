"""The booking rules, wait counting, priorities and explanations, at their edges."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

import joinedup.domain.waitlist
from joinedup.domain.parameters import ParameterSet
from joinedup.domain.waitlist import explain
from joinedup.domain.waitlist.priority import Priorities, PriorityError
from joinedup.domain.waitlist.rules import (
    SessionRule,
    age_on,
    booking_order_key,
    weighted_wait,
)
from joinedup.domain.waitlist.waits import nearest_rank_index, over_weeks, percentile

PARAMETERS = Path(__file__).resolve().parents[4] / "src/joinedup/waitlist/parameters"


def test_the_waitlist_domain_imports_no_adapter() -> None:
    modules = [
        f"joinedup.domain.waitlist.{m.name}"
        for m in pkgutil.iter_modules(joinedup.domain.waitlist.__path__)
    ]
    code = (
        "import importlib, json, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    loaded = json.loads(subprocess.check_output([sys.executable, "-c", code], text=True))
    roots = {name.split(".")[0] for name in loaded}
    heavy = {"numpy", "pandas", "pyarrow", "duckdb", "ibis", "ortools", "matplotlib", "typer",
             "click"}
    assert not roots & heavy
    assert len(modules) >= 5


def test_a_session_takes_its_specialty_trusts_and_ages_inclusive() -> None:
    rule = SessionRule("ENT", frozenset({"TRA", "TRB"}), min_age=3, max_age=15)
    assert rule.accepts("ENT", "TRA", 3)  # the lower limit itself
    assert rule.accepts("ent", "TRB", 15)  # the upper limit, specialty in any case
    assert not rule.accepts("ENT", "TRA", 2)
    assert not rule.accepts("ENT", "TRA", 16)
    assert not rule.accepts("ENT", "TRC", 7)  # a trust the session may not book
    assert not rule.accepts("Oral Surgery", "TRA", 7)
    assert not rule.accepts("ENT", "TRA", None)  # an age-limited list needs an age


def test_a_pooled_session_without_age_limits_takes_any_trust_and_unknown_ages() -> None:
    rule = SessionRule("Oral Surgery", None)
    assert rule.accepts("Oral Surgery", "ANY", None)
    assert rule.accepts("Oral Surgery", "TRC", 40)


def test_age_counts_whole_years_with_the_birthday_on_the_day() -> None:
    assert age_on(date(2015, 6, 10), date(2025, 6, 10)) == 10
    assert age_on(date(2015, 6, 10), date(2025, 6, 9)) == 9
    assert age_on(date(2016, 2, 29), date(2025, 2, 28)) == 8  # no 29 Feb in 2025 yet
    assert age_on(date(2016, 2, 29), date(2025, 3, 1)) == 9


def test_booking_order_is_priority_then_longest_wait_then_referral() -> None:
    patients = [(3, 100, 7), (2, 500, 9), (2, 300, 8), (2, 300, 4)]  # rank, clock day, id
    ordered = sorted(patients, key=lambda p: booking_order_key(*p))
    assert ordered == [(2, 300, 4), (2, 300, 8), (2, 500, 9), (3, 100, 7)]


def test_over_weeks_puts_exactly_n_weeks_in_the_band_below() -> None:
    assert not over_weeks(364, 52)  # exactly 52 weeks: band >51-52
    assert over_weeks(365, 52)
    assert not over_weeks(126, 18) and over_weeks(127, 18)


def test_percentiles_are_nearest_rank() -> None:
    # 92nd percentile of 25 values: ceil(0.92 × 25) = 23rd smallest (index 22).
    assert nearest_rank_index(25, 0.92) == 22
    # Median of 10 values: ceil(5) = 5th smallest; of 11: ceil(5.5) = 6th.
    assert nearest_rank_index(10, 0.5) == 4
    assert nearest_rank_index(11, 0.5) == 5
    assert nearest_rank_index(1, 0.92) == 0
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.92) == 4.0  # ceil(3.68) = 4th
    with pytest.raises(ValueError):
        nearest_rank_index(0, 0.5)


def test_priorities_come_from_the_cited_table() -> None:
    table = ParameterSet.from_dir(PARAMETERS)["priority_targets"]
    priorities = Priorities.from_rows(table.rows, "priority_targets.csv")
    # FSSA: P1b 72 hours, P2 4 weeks, P3 3 months; P4 against the 18-week standard.
    assert [priorities.target_days(p) for p in priorities.codes] == [3, 28, 91, 126]
    assert [priorities.rank(p) for p in priorities.codes] == [0, 1, 2, 3]
    assert weighted_wait(56, priorities.target_days("P2")) == 2.0  # 56 / 28


def test_a_priority_table_without_every_priority_is_refused() -> None:
    rows = [{"priority": "P1", "target_days": "3"}, {"priority": "P2", "target_days": "28"}]
    with pytest.raises(PriorityError, match="no target for P3, P4"):
        Priorities.from_rows(rows, "targets.csv")
    with pytest.raises(PriorityError, match="line 2, field 'target_days'"):
        Priorities.from_rows([{"priority": "P1", "target_days": "0"}], "targets.csv")


def test_explanations_name_priority_wait_session_and_reason() -> None:
    patient = explain.PatientFacts("P2", 28, 56, "TRA", "ENT", 7)
    session = explain.SessionFacts("S9", "Trust B Hospital", "2025-04-12", 240, 30)
    why = explain.why_patient(patient, explain.GREEDY)
    assert "P2 (target 28 days), waiting 56 days (2.0× target)" in why
    where = explain.why_session(patient, session, explain.GREEDY)
    assert "earliest session with room that takes ENT patients of TRA aged 7" in where
    assert "S9 at Trust B Hospital on 2025-04-12 (240 min, 30 min unbooked)" in where
    assert explain.why_not_booked(patient, 0, explain.GREEDY) == (
        "no session in the plan takes ENT patients of TRA aged 7"
    )
    assert "optimiser" in explain.why_patient(patient, explain.OPTIMISER)
