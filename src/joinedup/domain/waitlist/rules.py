"""Who may be booked into which session, and in what order: the allocation's rules in one place.

Why here: the greedy rule, the optimiser, the simulation and the tests that check them must
agree on what a session accepts and on who comes first, so the rules are written once, as plain
functions over plain values:

* a session accepts a patient when the specialty matches (case-insensitive), the patient's trust
  is one the session may book (or the session takes any trust), and the patient's age in whole
  years on the plan's start date lies within the session's age limits (both ends included);
* patients are booked by clinical priority (P1 first) and then longest wait (earliest clock
  start), ties broken by referral id so the order is total and repeatable;
* sessions are tried in date order, then site, then session id: the earliest session with room.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class SessionRule:
    """What a theatre session accepts (its minutes and date live with the capacity data)."""

    specialty: str
    trusts: frozenset[str] | None  # None: any trust in the pool
    min_age: int | None = None
    max_age: int | None = None

    def accepts(self, specialty: str, trust: str, age: int | None) -> bool:
        if specialty.casefold() != self.specialty.casefold():
            return False
        if self.trusts is not None and trust not in self.trusts:
            return False
        if self.min_age is None and self.max_age is None:
            return True
        if age is None:
            return False  # an age-limited list needs the patient's age
        if self.min_age is not None and age < self.min_age:
            return False
        return not (self.max_age is not None and age > self.max_age)


def age_on(birth: date, day: date) -> int:
    """Age in whole years on `day` (a birthday counts on the day itself; 29 Feb on 28 Feb)."""
    years = day.year - birth.year
    if (day.month, day.day) < (birth.month, birth.day):
        years -= 1
    return years


def booking_order_key(
    priority_rank: int, clock_start_day: int, referral_id: int
) -> tuple[int, int, int]:
    """Sort key: priority first, then longest wait (earliest clock start), then referral id."""
    return (priority_rank, clock_start_day, referral_id)


def session_order_key(day: int, site: str, session_id: str) -> tuple[int, str, str]:
    """Sessions are offered earliest first, then by site and id."""
    return (day, site, session_id)


def weighted_wait(days_waited: float, target_days: float) -> float:
    """A wait measured in multiples of its priority's target (P2 at 56 days = 2.0)."""
    return days_waited / target_days
