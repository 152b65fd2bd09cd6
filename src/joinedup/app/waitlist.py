"""Use cases for pooled waiting lists: synthesise, allocate, plan and simulate.

Why here: the CLI (and the dashboard to come) call these four functions with typed requests; this
is the only place that wires the store (a loaded waiting list), the capacity file, the waiting-list
capability and its parameters together, and it turns the store's and the parameters' errors into
``UserError`` so surfaces catch one class.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from joinedup.domain.errors import UserError
from joinedup.domain.parameters import ParameterError, ParameterSet
from joinedup.domain.waitlist.queue import Plan, PlanInputs, plan
from joinedup.store import StoreError, connect
from joinedup.waitlist import allocation, simulation, synthetic
from joinedup.waitlist.lists import waiting_patients
from joinedup.waitlist.parameters import load_parameters, priorities
from joinedup.waitlist.problem import build_problem
from joinedup.waitlist.report import write_report
from joinedup.waitlist.scenario import next_monday, own_sessions, scenario_from, shared_sessions
from joinedup.waitlist.sessions import read_sessions

NOT_FOR_PUBLICATION = (
    "working output for authorised analysts: exact counts, not for publication; patient-level "
    "files (bookings.csv, unbooked.csv) are for the trusts' waiting-list teams only"
)


class WaitlistInputError(UserError):
    """A store or parameter problem met by a waiting-list command."""


def _parameters(folder: Path | None) -> ParameterSet:
    try:
        return load_parameters(folder)
    except ParameterError as exc:
        raise WaitlistInputError(str(exc)) from None


# synth ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SynthRequest:
    out: Path
    seed: int = synthetic.DEFAULT_SEED
    today: date = synthetic.DEFAULT_TODAY
    weeks: int = 4
    patients: int | None = None
    parameters: Path | None = None


def synth(request: SynthRequest) -> synthetic.SynthResult:
    """Write a synthetic three-trust scenario that `joinedup load` and `allocate` accept."""
    parameters = _parameters(request.parameters)
    try:
        return synthetic.write_synthetic(
            request.out, parameters, request.seed, request.today, request.weeks, request.patients
        )
    except (ParameterError, KeyError, ValueError) as exc:
        raise WaitlistInputError(f"{parameters.label}: {exc}") from None


# allocate ---------------------------------------------------------------------------------------

LIST_QUERY = """
SELECT w.referral_id, w.patient_id, w.trust_code, w.specialty, w.procedure_code, w.priority,
       w.clock_start, w.expected_minutes, w.status, p.birth_date
FROM waiting_list w JOIN patients p USING (patient_id)
ORDER BY w.referral_id
"""


@dataclass(frozen=True)
class AllocateRequest:
    db: Path
    sessions: Path
    out: Path
    method: str = "auto"
    time_limit: float = allocation.DEFAULT_TIME_LIMIT
    parameters: Path | None = None


@dataclass(frozen=True)
class AllocateResult:
    summary: dict[str, Any]
    paths: dict[str, Path]


def _read_list(db: Path, as_of: date) -> tuple[Any, int]:
    try:
        con = connect(db)
    except StoreError as exc:
        raise WaitlistInputError(str(exc)) from None
    try:
        rows = con.execute(LIST_QUERY).df()
    finally:
        con.close()
    return waiting_patients(rows, as_of)


def allocate(request: AllocateRequest) -> AllocateResult:
    """Book the loaded list into the capacity file's sessions; write the plan and its reasons."""
    if request.method not in allocation.METHODS:
        raise WaitlistInputError(f"--method must be one of {', '.join(allocation.METHODS)}")
    parameters = _parameters(request.parameters)
    sessions = read_sessions(request.sessions)
    start = min(s.day for s in sessions)
    patients, not_waiting = _read_list(request.db, start)
    problem = build_problem(patients, sessions, priorities(parameters))
    plan_ = allocation.allocate(problem, request.method, request.time_limit)
    request.out.mkdir(parents=True, exist_ok=True)
    paths = {
        "bookings": request.out / "bookings.csv",
        "unbooked": request.out / "unbooked.csv",
        "sessions": request.out / "session_use.csv",
        "summary": request.out / "summary.json",
    }
    allocation.bookings_frame(plan_).to_csv(paths["bookings"], index=False)
    allocation.unbooked_frame(plan_).to_csv(paths["unbooked"], index=False)
    allocation.sessions_frame(plan_).to_csv(paths["sessions"], index=False)
    summary = {
        **allocation.summary(plan_),
        "rows_not_waiting": not_waiting,
        "inputs": {"db": str(request.db), "sessions": str(request.sessions)},
        "parameters": parameters.label,
        "publication": NOT_FOR_PUBLICATION,
    }
    paths["summary"].write_text(json.dumps(summary, indent=2) + "\n")
    return AllocateResult(summary, paths)


# plan -------------------------------------------------------------------------------------------


PlanRequest = PlanInputs
"""What `plan` is asked: the domain's inputs (demand, queue size, target wait, options)."""


def plan_queue(request: PlanRequest) -> Plan:
    """The NHSRwaitinglist planning figures for one list."""
    return plan(request)


# simulate ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SimulateRequest:
    out: Path
    weeks: int = 52
    seed: int = synthetic.DEFAULT_SEED
    start: date = synthetic.DEFAULT_TODAY
    db: Path | None = None  # start from a loaded list instead of the synthetic one
    parameters: Path | None = None


@dataclass(frozen=True)
class SimulateResult:
    summary: dict[str, Any]
    paths: dict[str, Path]


def simulate(
    request: SimulateRequest, progress: Callable[[str, int], None] | None = None
) -> SimulateResult:
    """Run the three scenarios; write simulation.csv, summary.json and report.html."""
    if request.weeks < 1:
        raise WaitlistInputError("--weeks must be at least 1")
    parameters = _parameters(request.parameters)
    try:
        scenario = scenario_from(parameters)
    except ParameterError as exc:
        raise WaitlistInputError(str(exc)) from None
    rng = np.random.default_rng(request.seed)
    monday = next_monday(request.start)
    if request.db is None:
        start_list = synthetic.initial_list(parameters, scenario, rng, monday)
        source = "synthetic three-trust list (waitlist parameters)"
    else:
        start_list, _ = _read_list(request.db, monday)
        unknown = sorted(set(start_list["trust_code"]) - set(scenario.trust_codes))
        if unknown:
            raise WaitlistInputError(
                f"{request.db}: trusts {', '.join(unknown)} are not in the scenario's "
                "scenario_trusts.csv; describe them there and pass --parameters"
            )
        source = f"list loaded in {request.db}"
    first_id = int(start_list["referral_id"].max()) + 1 if len(start_list) else 1
    arrivals = synthetic.arrivals(parameters, scenario, rng, monday, request.weeks, first_id)
    inputs = simulation.SimulationInputs(
        start_list=start_list,
        arrivals=arrivals,
        own_week=tuple(own_sessions(scenario, monday, 1)),
        shared_week=tuple(shared_sessions(scenario, monday, 1)),
        start=monday,
        weeks=request.weeks,
    )
    frame = simulation.simulate(inputs, priorities(parameters), progress)
    summary = {
        "seed": request.seed,
        "weeks": request.weeks,
        "start": monday.isoformat(),
        "inputs": {
            "source": source,
            "starting_list": len(start_list),
            "referrals": len(arrivals),
            "own_sessions_a_week": len(inputs.own_week),
            "shared_sessions_a_week": len(inputs.shared_week),
        },
        "parameters": parameters.label,
        "publication": NOT_FOR_PUBLICATION,
        **simulation.summarise(frame, request.weeks),
    }
    request.out.mkdir(parents=True, exist_ok=True)
    paths = {
        "simulation": request.out / "simulation.csv",
        "summary": request.out / "summary.json",
    }
    frame.to_csv(paths["simulation"], index=False)
    paths["summary"].write_text(json.dumps(summary, indent=2) + "\n")
    paths["report"] = write_report(frame, summary, request.out)
    return SimulateResult(summary, paths)
