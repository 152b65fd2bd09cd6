"""Synthetic pooled waiting lists: patients waiting at several trusts, and referrals arriving.

Why: trusts cannot share real lists to try joinedup, and tests need lists of known shape. Every
figure comes from the parameter set: procedures and their minutes, priority mix, ages, additions
to the list a week, and the wait distribution calibrated to NHS England's RTT incomplete pathways
(a Weibull per specialty, stretched by each trust's ``wait_scale`` to give unequal lists).

* A trust's list holds demand × mean wait patients (Little's law) for each specialty.
* P3 and P4 waits follow the calibrated distribution; P1 and P2 patients are booked within their
  target, so their waits are drawn evenly up to it.
* Ages are drawn from the age bands; the simulation takes them on its start date.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from joinedup.domain.nhs_number import synthetic_numbers
from joinedup.domain.parameters import ParameterSet
from joinedup.domain.waitlist.priority import Priorities
from joinedup.waitlist.parameters import priorities as read_priorities
from joinedup.waitlist.scenario import (
    SPECIALTIES,
    Scenario,
    next_monday,
    own_sessions,
    scenario_from,
    shared_sessions,
)
from joinedup.waitlist.sessions import Session, write_sessions

DEFAULT_SEED = 7
DEFAULT_TODAY = date(2025, 3, 31)
ICS = ("Q99", "Synthetic pooled-list ICS")
PRACTICE = "X99001"


@dataclass(frozen=True)
class Mix:
    """The parameter tables one specialty draws from, as arrays."""

    procedures: tuple[str, ...]
    procedure_share: np.ndarray
    minutes: np.ndarray
    priorities: tuple[str, ...]
    priority_share: np.ndarray
    age_from: np.ndarray
    age_to: np.ndarray
    age_share: np.ndarray
    shape: float
    scale_weeks: float


def _normalised(values: list[float]) -> np.ndarray:
    array = np.array(values, dtype=float)
    return array / array.sum()


def mixes(parameters: ParameterSet) -> dict[str, Mix]:
    out = {}
    for specialty in SPECIALTIES:
        procs = [r for r in parameters["procedures"] if r["specialty"] == specialty]
        prios = [r for r in parameters["priority_mix"] if r["specialty"] == specialty]
        ages = [r for r in parameters["ages"] if r["specialty"] == specialty]
        shape = parameters["wait_distribution"].value("weibull_shape", specialty=specialty)
        scale = parameters["wait_distribution"].value("weibull_scale_weeks", specialty=specialty)
        out[specialty] = Mix(
            procedures=tuple(r["procedure_code"] for r in procs),
            procedure_share=_normalised([float(r["share"]) for r in procs]),
            minutes=np.array([int(r["minutes"]) for r in procs]),
            priorities=tuple(r["priority"] for r in prios),
            priority_share=_normalised([float(r["share"]) for r in prios]),
            age_from=np.array([int(r["age_from"]) for r in ages]),
            age_to=np.array([int(r["age_to"]) for r in ages]),
            age_share=_normalised([float(r["share"]) for r in ages]),
            shape=shape,
            scale_weeks=scale,
        )
    return out


def weibull_mean_weeks(mix: Mix, stretch: float) -> float:
    return mix.scale_weeks * stretch * math.gamma(1 + 1 / mix.shape)


def draw_waits(rng: np.random.Generator, mix: Mix, stretch: float, n: int) -> np.ndarray:
    """Waits in whole days (a part day counts as a day, as a wait of 0.1 weeks is in the
    RTT band >0-1) from the calibrated Weibull, stretched by ``stretch``."""
    weeks = mix.scale_weeks * stretch * rng.weibull(mix.shape, n)
    return np.ceil(weeks * 7).astype(np.int64)


def draw_referrals(
    rng: np.random.Generator,
    mix: Mix,
    priorities: Priorities,
    trust: str,
    specialty: str,
    n: int,
    waits: np.ndarray | None,
    today: date,
) -> pd.DataFrame:
    """``n`` referrals: procedure, minutes, priority, age, and clock start ``waits`` days ago.

    With ``waits`` None the clock start is left for the caller (arrivals in a simulation).
    """
    proc = rng.choice(len(mix.procedures), size=n, p=mix.procedure_share)
    prio = rng.choice(len(mix.priorities), size=n, p=mix.priority_share)
    band = rng.choice(len(mix.age_share), size=n, p=mix.age_share)
    age = rng.integers(mix.age_from[band], mix.age_to[band] + 1)
    codes = np.array(mix.priorities)[prio]
    if waits is not None:
        urgent_target = np.array([priorities.target_days(c) for c in codes])
        urgent = np.isin(codes, ("P1", "P2"))
        capped = np.floor(rng.random(n) * urgent_target).astype(np.int64)
        waits = np.where(urgent, capped, waits)
        clock = np.datetime64(today) - waits.astype("timedelta64[D]")
    else:
        clock = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    return pd.DataFrame(
        {
            "trust_code": trust,
            "specialty": specialty,
            "procedure_code": np.array(mix.procedures)[proc],
            "priority": codes,
            "clock_start": clock,
            "expected_minutes": mix.minutes[proc],
            "age": age,
        }
    )


def initial_list(
    parameters: ParameterSet, scenario: Scenario, rng: np.random.Generator, today: date,
    scale: float = 1.0,
) -> pd.DataFrame:
    """The lists waiting on ``today``: every trust and specialty, unequal by ``wait_scale``."""
    mix_of = mixes(parameters)
    priorities = read_priorities(parameters)
    parts = []
    for trust in scenario.trusts:
        for specialty in SPECIALTIES:
            mix = mix_of[specialty]
            size = scenario.demand[(trust.code, specialty)] * weibull_mean_weeks(
                mix, trust.wait_scale
            )
            n = max(1, round(size * scale))
            waits = draw_waits(rng, mix, trust.wait_scale, n)
            parts.append(
                draw_referrals(rng, mix, priorities, trust.code, specialty, n, waits, today)
            )
    frame = pd.concat(parts, ignore_index=True)
    return number(frame, first_id=1)


def number(frame: pd.DataFrame, first_id: int) -> pd.DataFrame:
    """Give each referral (and its patient) an id, in row order."""
    ids = np.arange(first_id, first_id + len(frame), dtype=np.int64)
    return frame.assign(referral_id=ids, patient_id=ids)


@dataclass(frozen=True)
class SynthResult:
    out_dir: Path
    seed: int
    today: date
    counts: dict[str, int]
    paths: dict[str, Path]
    parameters: str


def _organisations(scenario: Scenario) -> pd.DataFrame:
    rows = [
        {"org_code": ICS[0], "name": ICS[1], "org_type": "ics", "parent_code": None},
        {"org_code": "X99PL", "name": "Synthetic place", "org_type": "place",
         "parent_code": ICS[0]},
        {"org_code": "X99PCN", "name": "Synthetic PCN", "org_type": "pcn",
         "parent_code": "X99PL"},
        {"org_code": PRACTICE, "name": "Synthetic practice", "org_type": "practice",
         "parent_code": "X99PCN"},
    ]
    rows += [
        {"org_code": t.code, "name": t.name, "org_type": "trust", "parent_code": ICS[0]}
        for t in scenario.trusts
    ]
    return pd.DataFrame(rows).assign(valid_from=None, valid_to=None)


def _patients(frame: pd.DataFrame, rng: np.random.Generator, today: date) -> pd.DataFrame:
    """One patient per referral; birth dates agree with the ages on ``today``."""
    n = len(frame)
    days_into_year = rng.integers(0, 365, n)
    birth = (
        np.datetime64(today)
        - (frame["age"].to_numpy() * 365.25 + days_into_year + 1).astype("timedelta64[D]")
    )
    return pd.DataFrame(
        {
            "patient_id": frame["patient_id"],
            "nhs_number": synthetic_numbers(n),
            "birth_date": pd.Series(birth).dt.date,
            "sex": np.where(rng.random(n) < 0.5, "F", "M"),
            "ethnicity": "Unknown",
            "lsoa_code": None,
            "imd_decile": None,
            "practice_code": PRACTICE,
            "registered_from": pd.Series(birth).dt.date,
            "registered_to": None,
            "date_of_death": None,
            "opted_out": False,
        }
    )


def write_synthetic(
    out_dir: Path,
    parameters: ParameterSet,
    seed: int = DEFAULT_SEED,
    today: date = DEFAULT_TODAY,
    weeks: int = 4,
    patients: int | None = None,
) -> SynthResult:
    """Write a loadable scenario: contract tables, sessions.csv for ``weeks`` weeks, demand.csv.

    ``patients`` scales the lists (and the sessions and demand with them) to about that many
    waiting patients; by default the scenario's own size.
    """
    scenario = scenario_from(parameters)
    rng = np.random.default_rng(seed)
    natural = sum(
        scenario.demand[(t.code, s)] * weibull_mean_weeks(mixes(parameters)[s], t.wait_scale)
        for t in scenario.trusts
        for s in SPECIALTIES
    )
    scale = 1.0 if patients is None else patients / natural
    listed = initial_list(parameters, scenario, rng, today, scale)
    people = _patients(listed, rng, today)
    waiting = listed.assign(
        clock_start=pd.Series(listed["clock_start"]).dt.date, status="waiting"
    )[["referral_id", "patient_id", "trust_code", "specialty", "procedure_code", "priority",
       "clock_start", "expected_minutes", "status"]]
    monday = next_monday(today)
    copies = max(1, round(scale))
    sessions = []
    for copy in range(copies):
        batch = own_sessions(scenario, monday, weeks) + shared_sessions(scenario, monday, weeks)
        sessions += [
            s if copies == 1 else _renamed(s, copy) for s in batch
        ]
    demand = pd.DataFrame(
        [
            {"trust_code": t, "specialty": s, "referrals_per_week": round(v * scale, 3)}
            for (t, s), v in scenario.demand.items()
        ]
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {
        "organisations": out_dir / "organisations.csv",
        "patients": out_dir / "patients.csv",
        "waiting_list": out_dir / "waiting_list.csv",
        "sessions": out_dir / "sessions.csv",
        "demand": out_dir / "demand.csv",
    }
    _organisations(scenario).to_csv(paths["organisations"], index=False)
    people.to_csv(paths["patients"], index=False)
    waiting.to_csv(paths["waiting_list"], index=False)
    write_sessions(sessions, paths["sessions"])
    demand.to_csv(paths["demand"], index=False)
    counts = {
        "organisations": 4 + len(scenario.trusts),
        "patients": len(people),
        "waiting_list": len(waiting),
        "sessions": len(sessions),
        "demand": len(demand),
    }
    manifest = out_dir / "manifest.json"
    manifest.write_text(
        json.dumps(
            {
                "generator": "joinedup waitlist synth",
                "seed": seed,
                "today": today.isoformat(),
                "weeks_of_sessions": weeks,
                "scale": round(scale, 6),
                "parameters": parameters.label,
                "counts": counts,
            },
            indent=2,
        )
        + "\n"
    )
    paths["manifest"] = manifest
    return SynthResult(out_dir, seed, today, counts, paths, parameters.label)


def _renamed(session: Session, copy: int) -> Session:
    """A copy of a session for a scaled-up scenario (more theatres at the same sites)."""
    return replace(session, session_id=f"{session.session_id}-t{copy + 1}")


def arrivals(
    parameters: ParameterSet,
    scenario: Scenario,
    rng: np.random.Generator,
    start: date,
    weeks: int,
    first_id: int,
    scale: float = 1.0,
) -> pd.DataFrame:
    """Referrals joining the lists over ``weeks`` weeks from ``start``: Poisson counts a week,
    clock starts spread evenly over the week."""
    mix_of = mixes(parameters)
    priorities = read_priorities(parameters)
    parts = []
    for week in range(weeks):
        for trust in scenario.trusts:
            for specialty in SPECIALTIES:
                n = int(rng.poisson(scenario.demand[(trust.code, specialty)] * scale))
                if n == 0:
                    continue
                part = draw_referrals(
                    rng, mix_of[specialty], priorities, trust.code, specialty, n, None, start
                )
                offset = week * 7 + rng.integers(0, 7, n)
                part["clock_start"] = np.datetime64(start) + offset.astype("timedelta64[D]")
                parts.append(part)
    if not parts:
        empty = draw_referrals(rng, mix_of[SPECIALTIES[0]], priorities, "", "", 0, None, start)
        return number(empty, first_id)
    return number(pd.concat(parts, ignore_index=True), first_id)
