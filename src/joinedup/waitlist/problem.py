"""An allocation problem in arrays: patients, sessions, and which sessions accept whom.

Why a module of its own: the greedy rule, the optimiser, the checks and the simulation all need
the same preparation — priority ranks, waits as day numbers, and for every patient the sessions
that accept them in offering order. Patients who share a trust, specialty and age share that
list (their "signature"), so it is worked out once per signature, not once per patient, which
keeps a 100,000-patient list fast. Priorities other than P1–P4 cannot reach here: the loader
rejects them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
import pandas as pd

from joinedup.domain.waitlist.priority import Priorities
from joinedup.domain.waitlist.rules import session_order_key
from joinedup.waitlist.sessions import Session

IntArray = npt.NDArray[np.int64]
PATIENT_COLUMNS = (
    "referral_id",
    "patient_id",
    "trust_code",
    "specialty",
    "procedure_code",
    "priority",
    "clock_start",
    "expected_minutes",
    "age",
)
EPOCH = date(1970, 1, 1)


def day_number(day: date) -> int:
    return (day - EPOCH).days


def day_numbers(values: pd.Series) -> IntArray:
    """Dates (date objects, strings or datetimes) as days since 1970-01-01."""
    stamps = pd.to_datetime(values).to_numpy(dtype="datetime64[D]")
    return stamps.astype(np.int64)


@dataclass(frozen=True)
class Problem:
    """Patients and sessions ready for booking. Sessions are held in offering order."""

    patients: pd.DataFrame  # PATIENT_COLUMNS, index 0..n-1
    sessions: tuple[Session, ...]
    priorities: Priorities
    rank: IntArray  # priority rank per patient (0 = P1)
    clock: IntArray  # clock start as a day number
    minutes: IntArray
    referral: IntArray
    target_days: npt.NDArray[np.float64]
    signature: IntArray  # per patient, index into `eligible`
    eligible: tuple[IntArray, ...]  # per signature, accepting session indices in offering order
    session_day: IntArray
    session_minutes: IntArray
    horizon_day: int  # the last session's day: waits of those not booked are counted to it

    @property
    def size(self) -> int:
        return len(self.rank)

    def eligible_for(self, patient: int) -> IntArray:
        return self.eligible[int(self.signature[patient])]


def _ages(values: pd.Series) -> npt.NDArray[np.int64]:
    """Ages as integers, -1 where unknown."""
    ages = pd.to_numeric(values, errors="coerce").fillna(-1).to_numpy()
    return np.asarray(ages, dtype=np.int64)


def build_problem(
    patients: pd.DataFrame, sessions: tuple[Session, ...] | list[Session], priorities: Priorities
) -> Problem:
    """Prepare a problem; ``patients`` needs PATIENT_COLUMNS (age may be missing, as NA)."""
    frame = patients.loc[:, list(PATIENT_COLUMNS)].reset_index(drop=True)
    ordered = tuple(
        sorted(sessions, key=lambda s: session_order_key(day_number(s.day), s.site, s.session_id))
    )
    rank_of = {code: priorities.rank(code) for code in priorities.codes}
    target_of = {code: priorities.target_days(code) for code in priorities.codes}
    priority = frame["priority"].to_numpy(dtype=object).tolist()
    ages = _ages(frame["age"])
    signature = np.empty(len(frame), dtype=np.int64)
    combos: dict[tuple[str, str, int], int] = {}
    keys = zip(
        frame["trust_code"].to_numpy(dtype=object).tolist(),
        frame["specialty"].to_numpy(dtype=object).tolist(),
        ages.tolist(),
        strict=True,
    )
    for i, key in enumerate(keys):
        signature[i] = combos.setdefault(key, len(combos))
    eligible: list[IntArray] = []
    for trust, specialty, age in combos:
        known_age = None if age < 0 else int(age)
        accepting = [
            i for i, s in enumerate(ordered) if s.rule.accepts(specialty, trust, known_age)
        ]
        eligible.append(np.array(accepting, dtype=np.int64))
    last = max((day_number(s.day) for s in ordered), default=0)
    return Problem(
        patients=frame,
        sessions=ordered,
        priorities=priorities,
        rank=np.array([rank_of[p] for p in priority], dtype=np.int64),
        clock=day_numbers(frame["clock_start"]),
        minutes=frame["expected_minutes"].to_numpy(dtype=np.int64),
        referral=frame["referral_id"].to_numpy(dtype=np.int64),
        target_days=np.array([target_of[p] for p in priority], dtype=np.float64),
        signature=signature,
        eligible=tuple(eligible),
        session_day=np.array([day_number(s.day) for s in ordered], dtype=np.int64),
        session_minutes=np.array([s.minutes for s in ordered], dtype=np.int64),
        horizon_day=last,
    )


def booking_order(problem: Problem, among: IntArray | None = None) -> IntArray:
    """Patient indices by priority, then longest wait, then referral id (domain.rules)."""
    idx = np.arange(problem.size) if among is None else among
    keys = (problem.referral[idx], problem.clock[idx], problem.rank[idx])
    return idx[np.lexsort(keys)]
