"""Allocating a pooled list to sessions: choose the method, measure the plan, explain each row.

Why: the greedy rule and the optimiser return bare session numbers; a trust manager needs the
bookings with their reasons, the patients left waiting and why, how full each session is, and
the plan's total weighted wait, with the greedy plan's figures beside the optimiser's, in total
and by priority (the optimiser puts priorities first, so it can leave more P4 wait to clear more
P3 wait, and the total then favours greedy). ``priority_order_breaches`` re-checks the rule
that no higher-priority patient waits behind a lower-priority one where capacity allows, so
every plan carries its own proof.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from joinedup.domain.waitlist import explain
from joinedup.waitlist.greedy import UNBOOKED, greedy
from joinedup.waitlist.optimise import (
    DEFAULT_MAX_VARIABLES,
    DEFAULT_TIME_LIMIT,
    TierOutcome,
    optimise,
)
from joinedup.waitlist.problem import EPOCH, IntArray, Problem

METHODS = ("auto", "optimiser", "greedy")
AUTO_MAX_PATIENTS = 5_000
"""`auto` uses the optimiser up to this many waiting patients and the greedy rule above it
(benchmarks/RESULTS.md: at 10,000 the optimiser no longer improves on greedy in its time)."""


@dataclass(frozen=True)
class Allocation:
    """A plan: the session index of every patient (or UNBOOKED) and how it was made."""

    problem: Problem
    assigned: IntArray
    method: str
    tiers: tuple[TierOutcome, ...] = field(default=())

    @property
    def booked(self) -> IntArray:
        return np.flatnonzero(self.assigned != UNBOOKED)

    def minutes_left(self) -> IntArray:
        used = np.zeros(len(self.problem.sessions), dtype=np.int64)
        booked = self.booked
        np.add.at(used, self.assigned[booked], self.problem.minutes[booked])
        return self.problem.session_minutes - used


def allocate(
    problem: Problem,
    method: str = "auto",
    time_limit: float = DEFAULT_TIME_LIMIT,
    max_variables: int = DEFAULT_MAX_VARIABLES,
) -> Allocation:
    """Book the list with the chosen method (`auto`: optimiser for lists up to 5,000)."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}")
    if method == "greedy" or (method == "auto" and problem.size > AUTO_MAX_PATIENTS):
        assigned, _ = greedy(problem)
        return Allocation(problem, assigned, "greedy")
    assigned, tiers = optimise(problem, time_limit, max_variables)
    return Allocation(problem, assigned, "optimiser", tiers)


def weighted_wait_left(problem: Problem, assigned: IntArray, rank: int | None = None) -> float:
    """Σ over patients not booked of their wait at the plan's last session ÷ their target.

    The plan's total weighted wait: what is still waiting when the plan ends, each wait in
    multiples of its priority's target (domain.waitlist.rules.weighted_wait); with ``rank``,
    only that priority's patients.
    """
    waiting = assigned == UNBOOKED
    if rank is not None:
        waiting &= problem.rank == rank
    days = problem.horizon_day - problem.clock[waiting]
    return float((days / problem.target_days[waiting]).sum())


def _by_priority(problem: Problem, assigned: IntArray) -> dict[str, float]:
    return {
        code: round(weighted_wait_left(problem, assigned, r), 3)
        for r, code in enumerate(problem.priorities.codes)
    }


def priority_order_breaches(problem: Problem, assigned: IntArray) -> int:
    """Sessions where a patient was passed over for a lower-priority one where capacity allows.

    A breach at session s: s holds a patient q of lower priority than a patient p whom s
    accepts, p is not booked on or before s's day, and p's minutes fit into s's unbooked
    minutes plus q's. For each signature and priority the smallest case among patients not yet
    booked by each day is looked up by binary search, so a 100,000-patient plan checks quickly.
    """
    left = problem.session_minutes.copy()
    booked = np.flatnonzero(assigned != UNBOOKED)
    np.subtract.at(left, assigned[booked], problem.minutes[booked])
    never = np.iinfo(np.int64).max
    booked_day = np.where(
        assigned == UNBOOKED, never, problem.session_day[np.maximum(assigned, 0)]
    )
    # (signature, rank) → booked days ascending and, from each position on, the smallest case.
    lookup: dict[tuple[int, int], tuple[IntArray, IntArray]] = {}
    keys = problem.signature * 4 + problem.rank
    order = np.lexsort((booked_day, keys))
    bounds = np.flatnonzero(np.diff(keys[order])) + 1
    for part in np.split(order, bounds):
        if len(part) == 0:
            continue
        days = booked_day[part]
        smallest = np.minimum.accumulate(problem.minutes[part][::-1])[::-1]
        lookup[(int(problem.signature[part[0]]), int(problem.rank[part[0]]))] = (days, smallest)
    accepting: dict[int, list[int]] = {}
    for sig, sessions in enumerate(problem.eligible):
        for s in sessions.tolist():
            accepting.setdefault(s, []).append(sig)
    here_by_session: dict[int, list[int]] = {}
    for i in booked.tolist():
        here_by_session.setdefault(int(assigned[i]), []).append(i)
    breaches = 0
    for s, here in here_by_session.items():
        ranks = problem.rank[here]
        minutes = problem.minutes[here]
        day = problem.session_day[s]
        found = False
        for rank in range(int(ranks.max())):
            room = left[s] + int(minutes[ranks > rank].max())
            for sig in accepting.get(s, []):
                entry = lookup.get((sig, rank))
                if entry is None:
                    continue
                days, smallest = entry
                k = int(np.searchsorted(days, day, side="right"))
                if k < len(days) and smallest[k] <= room:
                    found = True
                    break
            if found:
                break
        breaches += found
    return breaches


def _iso(day: int) -> str:
    return (EPOCH + pd.Timedelta(days=day)).isoformat()


def bookings_frame(allocation: Allocation) -> pd.DataFrame:
    """One row per booking, in session order, with why this patient and why this session."""
    problem, assigned = allocation.problem, allocation.assigned
    left = allocation.minutes_left()
    rows = []
    method = explain.GREEDY if allocation.method == "greedy" else explain.OPTIMISER
    for i in allocation.booked.tolist():
        s = int(assigned[i])
        session = problem.sessions[s]
        facts = _facts(problem, i, problem.session_day[s])
        where = explain.SessionFacts(
            session.session_id, session.site, session.day.isoformat(), session.minutes, int(left[s])
        )
        patient = problem.patients.iloc[i]
        rows.append(
            {
                "session_id": session.session_id,
                "site": session.site,
                "date": session.day.isoformat(),
                "referral_id": int(patient["referral_id"]),
                "patient_id": int(patient["patient_id"]),
                "trust_code": patient["trust_code"],
                "specialty": patient["specialty"],
                "procedure_code": patient["procedure_code"],
                "priority": patient["priority"],
                "days_waited": facts.days_waited,
                "expected_minutes": int(patient["expected_minutes"]),
                "why_patient": explain.why_patient(facts, method),
                "why_session": explain.why_session(facts, where, method),
                "_order": (s, int(problem.rank[i]), int(problem.clock[i])),
            }
        )
    frame = pd.DataFrame(rows, columns=[*BOOKING_COLUMNS, "_order"])
    if len(frame):
        frame = frame.sort_values("_order", kind="stable")
    return frame.drop(columns="_order").reset_index(drop=True)


BOOKING_COLUMNS = (
    "session_id", "site", "date", "referral_id", "patient_id", "trust_code", "specialty",
    "procedure_code", "priority", "days_waited", "expected_minutes", "why_patient", "why_session",
)
UNBOOKED_COLUMNS = (
    "referral_id", "patient_id", "trust_code", "specialty", "procedure_code", "priority",
    "days_waited", "expected_minutes", "eligible_sessions", "reason",
)


def _facts(problem: Problem, i: int, day: int) -> explain.PatientFacts:
    patient = problem.patients.iloc[i]
    age = patient["age"]
    return explain.PatientFacts(
        priority=str(patient["priority"]),
        target_days=float(problem.target_days[i]),
        days_waited=int(day - problem.clock[i]),
        trust=str(patient["trust_code"]),
        specialty=str(patient["specialty"]),
        age=None if pd.isna(age) else int(age),
    )


def unbooked_frame(allocation: Allocation) -> pd.DataFrame:
    """Patients left waiting, in booking order, with why they were not booked."""
    problem = allocation.problem
    waiting = np.flatnonzero(allocation.assigned == UNBOOKED)
    frame = problem.patients.iloc[waiting]
    days = problem.horizon_day - problem.clock[waiting]
    eligible = np.array([len(e) for e in problem.eligible], dtype=np.int64)[
        problem.signature[waiting]
    ]
    method = explain.GREEDY if allocation.method == "greedy" else explain.OPTIMISER
    reasons = {}
    for sig in np.unique(problem.signature[waiting]).tolist():
        first = int(waiting[problem.signature[waiting] == sig][0])
        reasons[sig] = explain.why_not_booked(
            _facts(problem, first, problem.horizon_day), len(problem.eligible[sig]), method
        )
    out = pd.DataFrame(
        {
            "referral_id": frame["referral_id"].to_numpy(),
            "patient_id": frame["patient_id"].to_numpy(),
            "trust_code": frame["trust_code"].to_numpy(),
            "specialty": frame["specialty"].to_numpy(),
            "procedure_code": frame["procedure_code"].to_numpy(),
            "priority": frame["priority"].to_numpy(),
            "days_waited": days,
            "expected_minutes": frame["expected_minutes"].to_numpy(),
            "eligible_sessions": eligible,
            "reason": [reasons[int(s)] for s in problem.signature[waiting]],
        }
    )
    order = np.lexsort((problem.referral[waiting], problem.clock[waiting], problem.rank[waiting]))
    return out.iloc[order].reset_index(drop=True)


def sessions_frame(allocation: Allocation) -> pd.DataFrame:
    """One row per session: minutes, booked minutes and patients, minutes left."""
    problem = allocation.problem
    left = allocation.minutes_left()
    counts = np.bincount(allocation.assigned[allocation.booked], minlength=len(problem.sessions))
    return pd.DataFrame(
        {
            "session_id": [s.session_id for s in problem.sessions],
            "site": [s.site for s in problem.sessions],
            "host_trust": [s.host_trust for s in problem.sessions],
            "date": [s.day.isoformat() for s in problem.sessions],
            "specialty": [s.rule.specialty for s in problem.sessions],
            "shared": [s.shared for s in problem.sessions],
            "minutes": problem.session_minutes,
            "booked_minutes": problem.session_minutes - left,
            "patients": counts,
            "minutes_left": left,
        }
    )


def summary(allocation: Allocation) -> dict[str, Any]:
    """The plan's headline figures, with the greedy rule's beside the optimiser's."""
    problem, assigned = allocation.problem, allocation.assigned
    left = allocation.minutes_left()
    greedy_assigned, _ = greedy(problem)
    booked = allocation.booked
    by_priority = {
        code: {
            "waiting": int((problem.rank == r).sum()),
            "booked": int((problem.rank[booked] == r).sum()),
        }
        for r, code in enumerate(problem.priorities.codes)
    }
    return {
        "method": allocation.method,
        "tiers": [t.__dict__ for t in allocation.tiers],
        "patients_waiting": problem.size,
        "sessions": len(problem.sessions),
        "patients_booked": len(booked),
        "session_minutes": int(problem.session_minutes.sum()),
        "booked_minutes": int((problem.session_minutes - left).sum()),
        "first_session": _iso(int(problem.session_day.min())) if problem.sessions else None,
        "last_session": _iso(problem.horizon_day) if problem.sessions else None,
        "weighted_wait_left": round(weighted_wait_left(problem, assigned), 3),
        "greedy_weighted_wait_left": round(weighted_wait_left(problem, greedy_assigned), 3),
        "weighted_wait_left_by_priority": _by_priority(problem, assigned),
        "greedy_weighted_wait_left_by_priority": _by_priority(problem, greedy_assigned),
        "greedy_patients_booked": int((greedy_assigned != UNBOOKED).sum()),
        "priority_order_breaches": priority_order_breaches(problem, assigned),
        "by_priority": by_priority,
    }
