"""Allocation: no session overbooked, priority order kept, optimiser beats greedy, explained."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from joinedup.domain.waitlist.rules import SessionRule, booking_order_key
from joinedup.waitlist.allocation import (
    allocate,
    bookings_frame,
    priority_order_breaches,
    sessions_frame,
    summary,
    unbooked_frame,
    weighted_wait_left,
)
from joinedup.waitlist.greedy import UNBOOKED, greedy
from joinedup.waitlist.parameters import load_parameters, priorities
from joinedup.waitlist.problem import Problem, booking_order, build_problem
from joinedup.waitlist.scenario import next_monday, own_sessions, scenario_from, shared_sessions
from joinedup.waitlist.sessions import Session
from joinedup.waitlist.synthetic import initial_list

PRIORITIES = priorities(load_parameters())


def patient(ref: int, priority: str, clock: str, minutes: int, trust: str = "TRA",
            age: int | None = 7, specialty: str = "ENT") -> dict[str, object]:
    return {"referral_id": ref, "patient_id": ref, "trust_code": trust, "specialty": specialty,
            "procedure_code": "X", "priority": priority, "clock_start": clock,
            "expected_minutes": minutes, "age": age}


def session(sid: str, day: date, minutes: int = 240, trusts: frozenset[str] | None = None,
            min_age: int | None = None, max_age: int | None = None) -> Session:
    return Session(sid, "Site", "TRB", day, minutes, SessionRule("ENT", trusts, min_age, max_age))


def problem_of(rows: list[dict[str, object]], sessions: list[Session]) -> Problem:
    return build_problem(pd.DataFrame(rows), sessions, PRIORITIES)


def test_optimiser_beats_greedy_on_total_weighted_wait_in_a_fixed_case() -> None:
    # One 240-minute session on 2025-02-08. A (P3) has waited longest but needs 150 minutes;
    # B and C (P3) need 120 each. Greedy books A and strands 90 minutes; B + C fill 240.
    rows = [patient(1, "P3", "2024-01-01", 150), patient(2, "P3", "2024-04-10", 120),
            patient(3, "P3", "2024-04-10", 120, trust="TRB")]
    problem = problem_of(rows, [session("S1", date(2025, 2, 8))])
    greedy_plan = allocate(problem, "greedy")
    best = allocate(problem, "optimiser")
    # Waits at the session day: A 2024-01-01 → 2025-02-08 = 404 days; B, C from 2024-04-10 =
    # 304 days. P3's target is 91 days. Greedy leaves B and C: (304 + 304) / 91 = 6.681;
    # the optimiser leaves A: 404 / 91 = 4.440.
    assert weighted_wait_left(problem, greedy_plan.assigned) == pytest.approx(608 / 91)
    assert weighted_wait_left(problem, best.assigned) == pytest.approx(404 / 91)
    assert sorted(problem.referral[best.booked].tolist()) == [2, 3]
    assert problem.referral[greedy_plan.booked].tolist() == [1]


def test_greedy_books_in_order_into_the_earliest_session_with_room() -> None:
    rows = [patient(1, "P4", "2023-01-01", 60), patient(2, "P2", "2025-01-20", 200),
            patient(3, "P3", "2024-01-01", 60), patient(4, "P3", "2024-06-01", 60)]
    sessions = [session("LATE", date(2025, 2, 15)), session("EARLY", date(2025, 2, 8))]
    problem = problem_of(rows, sessions)
    assigned, left = greedy(problem)
    ids = {s.session_id: i for i, s in enumerate(problem.sessions)}
    # P2 (200 min) first into EARLY (40 left); P3s do not fit EARLY, go to LATE (120 left);
    # the P4, though longest waiting, comes last and takes 60 more of LATE.
    assert assigned.tolist() == [ids["LATE"], ids["EARLY"], ids["LATE"], ids["LATE"]]
    assert left[ids["EARLY"]] == 40 and left[ids["LATE"]] == 240 - 3 * 60


def test_booking_order_matches_the_domain_rule() -> None:
    rows = [patient(5, "P3", "2024-05-01", 30), patient(2, "P2", "2024-09-01", 30),
            patient(9, "P3", "2024-01-01", 30), patient(1, "P3", "2024-05-01", 30)]
    problem = problem_of(rows, [session("S", date(2025, 1, 6))])
    keys = [booking_order_key(int(problem.rank[i]), int(problem.clock[i]),
                              int(problem.referral[i])) for i in range(problem.size)]
    assert booking_order(problem).tolist() == sorted(range(problem.size), key=keys.__getitem__)


def test_site_and_age_rules_hold_and_unfit_patients_say_why() -> None:
    rows = [patient(1, "P2", "2024-01-01", 60, age=2), patient(2, "P4", "2024-06-01", 60,
            trust="TRC"), patient(3, "P4", "2024-06-01", 60)]
    sessions = [session("WEEKEND", date(2025, 3, 8), trusts=frozenset({"TRA"}), min_age=3)]
    problem = problem_of(rows, sessions)
    for method in ("greedy", "optimiser"):
        plan = allocate(problem, method)
        assert problem.referral[plan.booked].tolist() == [3]
        left = unbooked_frame(plan).set_index("referral_id")
        assert left.loc[1, "reason"] == "no session in the plan takes ENT patients of TRA aged 2"
        assert left.loc[2, "eligible_sessions"] == 0


@pytest.fixture(scope="module")
def synthetic_problem() -> Problem:
    parameters = load_parameters()
    scenario = scenario_from(parameters)
    monday = next_monday(date(2025, 3, 31))
    rng = np.random.default_rng(11)
    listed = initial_list(parameters, scenario, rng, monday, scale=0.5)
    sessions = own_sessions(scenario, monday, 2) + shared_sessions(scenario, monday, 2)
    return build_problem(listed, sessions, PRIORITIES)


@pytest.mark.parametrize("method", ["greedy", "optimiser"])
def test_no_session_is_overbooked_and_no_rule_is_broken(
    synthetic_problem: Problem, method: str
) -> None:
    problem = synthetic_problem
    plan = allocate(problem, method, time_limit=2)
    assert len(plan.booked) > 0 and (plan.assigned == UNBOOKED).any()  # capacity binds
    used = sessions_frame(plan)
    assert (used["booked_minutes"] <= used["minutes"]).all()
    assert (used["minutes_left"] >= 0).all()
    for i in plan.booked.tolist():
        s = problem.sessions[int(plan.assigned[i])]
        row = problem.patients.iloc[i]
        assert s.rule.accepts(row["specialty"], row["trust_code"], int(row["age"]))
    assert priority_order_breaches(problem, plan.assigned) == 0


def test_the_optimiser_is_never_worse_than_greedy_for_the_top_priority(
    synthetic_problem: Problem,
) -> None:
    problem = synthetic_problem
    best = allocate(problem, "optimiser", time_limit=2)
    plain, _ = greedy(problem)
    p1 = problem.rank == 0
    waiting_best = best.assigned[p1] == UNBOOKED
    waiting_greedy = plain[p1] == UNBOOKED
    best_left = (problem.horizon_day - problem.clock[p1])[waiting_best].sum()
    greedy_left = (problem.horizon_day - problem.clock[p1])[waiting_greedy].sum()
    assert best_left <= greedy_left
    assert [t.priority for t in best.tiers] == ["P1", "P2", "P3", "P4"]
    assert best.tiers[0].status == "optimal"


def test_the_breach_check_finds_a_patient_passed_over() -> None:
    # A P4 holds the only session while a P2 who would fit is left waiting: one breach.
    rows = [patient(1, "P2", "2024-12-01", 60), patient(2, "P4", "2024-01-01", 60)]
    problem = problem_of(rows, [session("S", date(2025, 2, 3), minutes=60)])
    passed_over = np.array([UNBOOKED, 0])
    assert priority_order_breaches(problem, passed_over) == 1
    # Booking the P2 a week later, behind the P4, is a breach too.
    two = problem_of(rows, [session("S", date(2025, 2, 3), minutes=60),
                            session("T", date(2025, 2, 10), minutes=60)])
    assert priority_order_breaches(two, np.array([1, 0])) == 1
    assert priority_order_breaches(two, np.array([0, 1])) == 0
    # The P2 needing more than the session holds is no breach.
    rows[0]["expected_minutes"] = 90
    bigger = problem_of(rows, [session("S", date(2025, 2, 3), minutes=60)])
    assert priority_order_breaches(bigger, passed_over) == 0


def test_bookings_explain_each_row_and_the_summary_adds_up(synthetic_problem: Problem) -> None:
    plan = allocate(synthetic_problem, "greedy")
    rows = bookings_frame(plan)
    assert len(rows) == len(plan.booked)
    assert rows["why_patient"].str.contains(r"P[1-4] \(target \d+ days\), waiting").all()
    assert rows["why_session"].str.contains("earliest session with room").all()
    figures = summary(plan)
    assert figures["patients_booked"] == len(rows)
    assert figures["booked_minutes"] == int(rows["expected_minutes"].sum())
    assert figures["greedy_weighted_wait_left"] == figures["weighted_wait_left"]
    assert sum(p["booked"] for p in figures["by_priority"].values()) == len(rows)
