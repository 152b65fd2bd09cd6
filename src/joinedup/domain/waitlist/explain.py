"""The sentences that explain each booking: why this patient, why this session, why not booked.

Why here: a trust manager has to be able to defend every booking to a clinician or a family, so
each row of the allocation carries its reasons in plain English; the greedy rule and the
optimiser reason differently and say so, and both read their wording from this one module.
"""

from __future__ import annotations

from dataclasses import dataclass

GREEDY = "greedy"
OPTIMISER = "optimiser"


@dataclass(frozen=True)
class PatientFacts:
    priority: str
    target_days: float
    days_waited: int
    trust: str
    specialty: str
    age: int | None


@dataclass(frozen=True)
class SessionFacts:
    session_id: str
    site: str
    day: str  # ISO date
    minutes: int
    minutes_left: int  # after every booking of the plan


def _waited(p: PatientFacts) -> str:
    ratio = p.days_waited / p.target_days
    return (
        f"{p.priority} (target {p.target_days:g} days), waiting {p.days_waited} days "
        f"({ratio:.1f}× target)"
    )


def _who(p: PatientFacts) -> str:
    age = "" if p.age is None else f" aged {p.age}"
    return f"{p.specialty} patients of {p.trust}{age}"


def why_patient(p: PatientFacts, method: str) -> str:
    if method == GREEDY:
        return (
            f"{_waited(p)}: next in the booking order (clinical priority, then longest wait) "
            "among the patients this session accepts"
        )
    return (
        f"{_waited(p)}: booked after every higher-priority patient who fits; among "
        f"{p.priority} patients the optimiser clears the most wait against target in the "
        "minutes left"
    )


def why_session(p: PatientFacts, s: SessionFacts, method: str) -> str:
    where = (
        f"{s.session_id} at {s.site} on {s.day} ({s.minutes} min, {s.minutes_left} min unbooked)"
    )
    if method == GREEDY:
        return f"the earliest session with room that takes {_who(p)}: {where}"
    return (
        f"a session that takes {_who(p)}, chosen so that the plan fits the most waiting into "
        f"its minutes, earliest first: {where}"
    )


def why_not_booked(p: PatientFacts, eligible_sessions: int, method: str) -> str:
    if eligible_sessions == 0:
        return f"no session in the plan takes {_who(p)}"
    taken = (
        "patients of higher priority or longer wait"
        if method == GREEDY
        else "higher-priority patients, or patients of the same priority who together clear "
        "more wait in the minutes"
    )
    return (
        f"the {eligible_sessions} session(s) that take {_who(p)} were filled by {taken}, "
        "or had too few minutes left"
    )
