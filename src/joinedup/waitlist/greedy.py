"""The greedy rule: patients in booking order, each into the earliest session with room.

Why: it is the rule a waiting-list office follows by hand (clinical priority, then longest wait,
first session that takes the patient and has the minutes), it is fast enough for any list, and it
gives the optimiser a starting point. Sessions only ever lose minutes, so for each signature and
case length a pointer can skip, once and for all, the sessions already too full: booking a list of
100,000 takes well under a second.
"""

from __future__ import annotations

import numpy as np

from joinedup.waitlist.problem import IntArray, Problem, booking_order

UNBOOKED = -1


def greedy(
    problem: Problem, remaining: IntArray | None = None, among: IntArray | None = None
) -> tuple[IntArray, IntArray]:
    """Book ``among`` (default everyone) into ``remaining`` minutes (default the sessions').

    Returns (session index per patient or UNBOOKED, minutes left per session). Patients outside
    ``among`` stay UNBOOKED.
    """
    left = (problem.session_minutes if remaining is None else remaining).copy()
    assigned = np.full(problem.size, UNBOOKED, dtype=np.int64)
    pointer: dict[tuple[int, int], int] = {}
    signature = problem.signature
    minutes = problem.minutes
    eligible = problem.eligible
    for i in booking_order(problem, among).tolist():
        sig = int(signature[i])
        sessions = eligible[sig]
        if len(sessions) == 0:
            continue
        need = int(minutes[i])
        key = (sig, need)
        k = pointer.get(key, 0)
        while k < len(sessions) and left[sessions[k]] < need:
            k += 1
        pointer[key] = k
        if k == len(sessions):
            continue
        s = sessions[k]
        left[s] -= need
        assigned[i] = s
    return assigned, left
