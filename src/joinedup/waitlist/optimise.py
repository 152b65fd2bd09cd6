"""The optimiser: each priority in turn, the booking that clears the most wait, by OR-Tools CP-SAT.

Why an optimiser as well as the greedy rule: sessions are knapsacks of minutes, and taking
patients strictly in order can strand minutes (a 150-minute case first leaves 90 minutes that two
120-minute cases could have used). The optimiser keeps the clinical order between priorities
and, within a priority, packs the sessions so that the waiting it clears is largest:

* priorities are solved one after another, P1 first, each into the minutes the ones before left,
  so no patient is passed over for a lower-priority one who took their place;
* within a priority, booking a patient is worth their wait in days at the end of the plan (all
  share one target, so this is their wait against target): the solver books the set of patients
  that clears the most wait, so a longest-waiting patient who fits is booked;
* then, longest waiting first, each booked patient moves to the earliest session with room, so
  together with the step below no patient is left behind a lower-priority one where capacity
  allows, whatever the solver's status;
* only patients who could be booked enter the model: among patients with the same sessions and
  case length, only as many of the longest waiting as those sessions could hold at all (a shorter
  wait could never be chosen over a longer one of the same shape) — exact, and it keeps the model
  the size of the capacity, not of the list;
* the greedy rule for the same priority is given as a hint, so the answer is never worse than
  greedy for that priority; if the solver finds nothing in its time limit, or the model is larger
  than ``max_variables``, the greedy booking stands and the result says so.

CP-SAT is run with a fixed seed and one worker, so a priority solved to optimality gets the same
plan every time; one cut off by the (wall-clock) time limit may differ between runs on a busy
machine, and its status says it was cut off.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np
from ortools.sat.python import cp_model

from joinedup.waitlist.greedy import UNBOOKED, greedy
from joinedup.waitlist.problem import IntArray, Problem, booking_order

DEFAULT_TIME_LIMIT = 10.0
DEFAULT_MAX_VARIABLES = 150_000


@dataclass(frozen=True)
class TierOutcome:
    """How one priority was booked: 'optimal', 'feasible' (time limit), 'greedy' and why."""

    priority: str
    status: str
    candidates: int
    variables: int


def _candidates(problem: Problem, tier: IntArray, left: IntArray) -> list[int]:
    """The longest-waiting patients of each (signature, minutes) class that could fit at all."""
    chosen: list[int] = []
    order = booking_order(problem, tier)
    counts: dict[tuple[int, int], int] = {}
    capacity: dict[tuple[int, int], int] = {}
    for i in order.tolist():
        sig, need = int(problem.signature[i]), int(problem.minutes[i])
        key = (sig, need)
        if key not in capacity:
            sessions = problem.eligible[sig]
            capacity[key] = int((left[sessions] // need).sum()) if len(sessions) else 0
        if counts.get(key, 0) < capacity[key]:
            counts[key] = counts.get(key, 0) + 1
            chosen.append(i)
    return chosen


def _solve_tier(
    problem: Problem,
    tier: IntArray,
    left: IntArray,
    time_limit: float,
    max_variables: int,
) -> tuple[dict[int, int], str, int, int]:
    """Bookings {patient: session} for one priority, the status, candidates and variables."""
    hint, _ = greedy(problem, left, tier)
    hinted = {int(i): int(hint[i]) for i in tier.tolist() if hint[i] != UNBOOKED}
    candidates = _candidates(problem, tier, left)
    size = sum(len(problem.eligible[int(problem.signature[i])]) for i in candidates)
    if size > max_variables:
        return hinted, "greedy (model too large)", len(candidates), size
    pairs = [
        (i, int(s))
        for i in candidates
        for s in problem.eligible[int(problem.signature[i])].tolist()
        if left[s] >= problem.minutes[i]
    ]
    if not pairs:
        return hinted, "optimal", len(candidates), 0
    if len(pairs) > max_variables:
        return hinted, "greedy (model too large)", len(candidates), len(pairs)

    model = cp_model.CpModel()
    x = {pair: model.new_bool_var(f"x{pair[0]}_{pair[1]}") for pair in pairs}
    by_patient: dict[int, list[cp_model.IntVar]] = {}
    by_session: dict[int, list[tuple[int, cp_model.IntVar]]] = {}
    for (i, s), var in x.items():
        by_patient.setdefault(i, []).append(var)
        by_session.setdefault(s, []).append((int(problem.minutes[i]), var))
        model.add_hint(var, hinted.get(i) == s)
    for variables in by_patient.values():
        model.add_at_most_one(variables)
    load = {}
    for s, terms in by_session.items():
        load[s] = sum(m * v for m, v in terms)
        model.add(load[s] <= int(left[s]))
    # Sessions with the same rule and minutes left are interchangeable here (dates are settled
    # afterwards): order their loads to break the symmetry, which the proof would otherwise
    # have to explore.
    alike: dict[tuple[object, int], list[int]] = {}
    for s in sorted(by_session):
        alike.setdefault((problem.sessions[s].rule, int(left[s])), []).append(s)
    for group in alike.values():
        for a, b in pairwise(group):
            model.add(load[a] >= load[b])
    horizon = problem.horizon_day
    model.maximize(
        sum((horizon - int(problem.clock[i]) + 1) * var for (i, s), var in x.items())
    )
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = 1
    solver.parameters.linearization_level = 2
    solver.parameters.random_seed = 0
    code = solver.solve(model)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return hinted, "greedy (no solution in the time limit)", len(candidates), len(pairs)
    booked = {i: s for (i, s), var in x.items() if solver.value(var)}
    if code == cp_model.OPTIMAL:
        return booked, "optimal", len(candidates), len(pairs)
    bound = solver.best_objective_bound
    gap = (bound - solver.objective_value) / bound if bound > 0 else 0.0
    status = f"feasible (time limit; within {gap:.2%} of the best bound)"
    return booked, status, len(candidates), len(pairs)


def _move_earlier(problem: Problem, tier: IntArray, assigned: IntArray, left: IntArray) -> None:
    """Move booked patients, longest waiting first, into earlier sessions with room, until none
    can move: the solver weighs only the wait cleared, and the dates are settled here."""
    moved = True
    while moved:
        moved = False
        for i in booking_order(problem, tier).tolist():
            current = int(assigned[i])
            if current == UNBOOKED:
                continue
            need = int(problem.minutes[i])
            for s in problem.eligible[int(problem.signature[i])].tolist():
                if s >= current:
                    break
                if left[s] >= need:
                    left[s] -= need
                    left[current] += need
                    assigned[i] = s
                    moved = True
                    break


def optimise(
    problem: Problem,
    time_limit: float = DEFAULT_TIME_LIMIT,
    max_variables: int = DEFAULT_MAX_VARIABLES,
) -> tuple[IntArray, tuple[TierOutcome, ...]]:
    """Session index per patient (or UNBOOKED) and how each priority was solved."""
    left = problem.session_minutes.copy()
    assigned = np.full(problem.size, UNBOOKED, dtype=np.int64)
    outcomes: list[TierOutcome] = []
    for rank, code in enumerate(problem.priorities.codes):
        tier = np.flatnonzero(problem.rank == rank)
        if len(tier) == 0:
            continue
        booked, status, candidates, variables = _solve_tier(
            problem, tier, left, time_limit, max_variables
        )
        for i, s in booked.items():
            assigned[i] = s
            left[s] -= problem.minutes[i]
        _move_earlier(problem, tier, assigned, left)
        # Anyone of this priority who still fits somewhere (possible only short of optimal)
        # takes the first session with room, so no minutes a patient could use stay idle.
        rest = tier[assigned[tier] == UNBOOKED]
        extra, left = greedy(problem, left, rest)
        assigned[rest] = extra[rest]
        outcomes.append(TierOutcome(code, status, candidates, variables))
    return assigned, tuple(outcomes)
