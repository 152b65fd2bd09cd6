"""Week-by-week simulation of separate lists, pooled lists, and pooled lists with added sessions.

Why: an ICS deciding whether to pool lists or to buy capacity needs both effects apart. Pooling
changes who is treated (the longest waits anywhere in the pool go first, so long waits fall and
the trusts' waits even out) but not how many; added shared sessions change how many (the list
shrinks). The three scenarios start from the same list and see the same referrals (common random
numbers), so the differences between them are the policies', not chance:

* ``separate``: each trust's sessions book only its own patients;
* ``pooled``: the same sessions book any trust's patients (specialty and age rules still apply);
* ``pooled_plus_capacity``: pooled, plus the shared weekend lists every week.

Each week the greedy rule books the week's sessions (priority, then longest wait; referrals made
during a week can be booked from the next), booked patients leave the list, and the list is
measured at the week's end by trust and specialty: its size, the counts over 18, 52, 65 and 78
weeks, the median and the 92nd-percentile wait. Ages are taken on the start date; patients leave
the list only by treatment (no validation removals).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from joinedup.domain.waitlist.priority import Priorities
from joinedup.domain.waitlist.waits import THRESHOLD_WEEKS, nearest_rank_index
from joinedup.waitlist.greedy import UNBOOKED, greedy
from joinedup.waitlist.problem import PATIENT_COLUMNS, build_problem, day_number, day_numbers
from joinedup.waitlist.sessions import Session

SCENARIOS = ("separate", "pooled", "pooled_plus_capacity")
METRICS = (
    "list_size",
    *(f"over_{w}" for w in THRESHOLD_WEEKS),
    "median_wait_weeks",
    "p92_wait_weeks",
    "longest_wait_weeks",
    "treated",
)
COLUMNS = ("scenario", "week", "date", "trust_code", "specialty", *METRICS)


@dataclass(frozen=True)
class SimulationInputs:
    """The starting list, the referrals to come, one week of sessions, and how long to run."""

    start_list: pd.DataFrame  # PATIENT_COLUMNS
    arrivals: pd.DataFrame  # PATIENT_COLUMNS, clock starts within the run
    own_week: tuple[Session, ...]  # the trusts' own sessions in the first week
    shared_week: tuple[Session, ...]  # the added shared sessions in the first week
    start: date  # a Monday; week 1 runs from here
    weeks: int


def _week_sessions(inputs: SimulationInputs, scenario: str, week: int) -> list[Session]:
    shift = timedelta(weeks=week)
    own = [replace(s, day=s.day + shift, session_id=f"{s.session_id}+{week}w")
           for s in inputs.own_week]
    if scenario == "separate":
        return [s.with_trusts(frozenset({s.host_trust})) for s in own]
    pooled = [s.with_trusts(None) for s in own]
    if scenario == "pooled":
        return pooled
    shared = [replace(s, day=s.day + shift, session_id=f"{s.session_id}+{week}w")
              for s in inputs.shared_week]
    return pooled + shared


def _measure(
    waiting: pd.DataFrame, day: int, treated: pd.Series, groups: list[tuple[str, str]]
) -> list[dict[str, Any]]:
    """One row of metrics per (trust, specialty), waits in weeks at ``day``."""
    days = day - day_numbers(waiting["clock_start"])
    group = waiting["_group"].to_numpy(dtype=np.int64)
    order = np.lexsort((days, group))
    days, group = days[order], group[order]
    bounds = np.searchsorted(group, np.arange(len(groups) + 1))
    rows = []
    for g, key in enumerate(groups):
        waits = days[bounds[g] : bounds[g + 1]]
        row: dict[str, Any] = {"trust_code": key[0], "specialty": key[1],
                               "list_size": len(waits)}
        for w in THRESHOLD_WEEKS:
            row[f"over_{w}"] = int((waits > 7 * w).sum())
        if len(waits):
            row["median_wait_weeks"] = round(waits[nearest_rank_index(len(waits), 0.5)] / 7, 2)
            row["p92_wait_weeks"] = round(waits[nearest_rank_index(len(waits), 0.92)] / 7, 2)
            row["longest_wait_weeks"] = round(waits[-1] / 7, 2)
        else:
            row["median_wait_weeks"] = row["p92_wait_weeks"] = row["longest_wait_weeks"] = 0.0
        row["treated"] = int(treated.get(g, 0))
        rows.append(row)
    return rows


def _prepared(frame: pd.DataFrame, groups: list[tuple[str, str]]) -> pd.DataFrame:
    """The patient columns with plain object strings (fast to compare) and a group number."""
    out = frame.loc[:, list(PATIENT_COLUMNS)].reset_index(drop=True)
    for column in ("trust_code", "specialty", "procedure_code", "priority"):
        out[column] = out[column].to_numpy(dtype=object)
    number = {key: g for g, key in enumerate(groups)}
    keys = zip(out["trust_code"].tolist(), out["specialty"].tolist(), strict=True)
    return out.assign(_group=np.array([number[k] for k in keys], dtype=np.int64))


def simulate(
    inputs: SimulationInputs,
    priorities: Priorities,
    progress: Callable[[str, int], None] | None = None,
) -> pd.DataFrame:
    """simulation.csv's rows: every scenario, week (0 = the start), trust and specialty."""
    groups = sorted(
        set(zip(inputs.start_list["trust_code"], inputs.start_list["specialty"], strict=True))
        | set(zip(inputs.arrivals["trust_code"], inputs.arrivals["specialty"], strict=True))
    )
    arrivals = _prepared(inputs.arrivals, groups)
    arrival_day = day_numbers(arrivals["clock_start"])
    start = day_number(inputs.start)
    rows: list[dict[str, Any]] = []
    for scenario in SCENARIOS:
        waiting = _prepared(inputs.start_list, groups)
        for row in _measure(waiting, start, pd.Series(dtype=int), groups):
            rows.append({"scenario": scenario, "week": 0, "date": inputs.start.isoformat(), **row})
        for week in range(1, inputs.weeks + 1):
            begin, end = start + 7 * (week - 1), start + 7 * week
            sessions = _week_sessions(inputs, scenario, week - 1)
            treated = pd.Series(dtype=int)
            if len(waiting) and sessions:
                problem = build_problem(waiting, sessions, priorities)
                assigned, _ = greedy(problem)
                booked = assigned != UNBOOKED
                treated = waiting[booked].groupby("_group").size()
                waiting = waiting[~booked]
            new = arrivals[(arrival_day >= begin) & (arrival_day < end)]
            waiting = pd.concat([waiting, new], ignore_index=True)
            day = (inputs.start + timedelta(weeks=week)).isoformat()
            for row in _measure(waiting, end, treated, groups):
                rows.append({"scenario": scenario, "week": week, "date": day, **row})
            if progress is not None:
                progress(scenario, week)
    return pd.DataFrame(rows, columns=list(COLUMNS))


def summarise(frame: pd.DataFrame, weeks: int) -> dict[str, Any]:
    """Per scenario: the final list, the counts over each threshold, and the same by trust;
    then the effect of pooling (pooled − separate) and of added capacity
    (pooled_plus_capacity − pooled)."""
    final = frame[frame["week"] == weeks]
    counts = ["list_size", *(f"over_{w}" for w in THRESHOLD_WEEKS)]
    scenarios: dict[str, Any] = {}
    for scenario in SCENARIOS:
        part = final[final["scenario"] == scenario]
        totals = {c: int(part[c].sum()) for c in counts}
        by_trust = {}
        for trust, rows in part.groupby("trust_code"):
            by_trust[str(trust)] = {
                **{c: int(rows[c].sum()) for c in counts},
                "longest_wait_weeks": float(rows["longest_wait_weeks"].max()),
                "p92_wait_weeks_by_specialty": {
                    str(s): float(v) for s, v in zip(rows["specialty"], rows["p92_wait_weeks"],
                                                     strict=True)
                },
            }
        scenarios[scenario] = {
            "final_list_size": totals["list_size"],
            **{f"over_{w}": totals[f"over_{w}"] for w in THRESHOLD_WEEKS},
            "treated": int(frame[frame["scenario"] == scenario]["treated"].sum()),
            "by_trust": by_trust,
        }

    def change(a: str, b: str) -> dict[str, int]:
        return {
            k: scenarios[b][k] - scenarios[a][k]
            for k in ("final_list_size", *(f"over_{w}" for w in THRESHOLD_WEEKS))
        }

    return {
        **scenarios,
        "effect_of_pooling": {
            "compares": "pooled - separate (same sessions, same referrals)",
            **change("separate", "pooled"),
            "longest_wait_weeks_by_trust": {
                t: {s: scenarios[s]["by_trust"][t]["longest_wait_weeks"]
                    for s in ("separate", "pooled")}
                for t in scenarios["separate"]["by_trust"]
            },
        },
        "effect_of_added_capacity": {
            "compares": "pooled_plus_capacity - pooled (same pooling, added shared sessions)",
            **change("pooled", "pooled_plus_capacity"),
        },
    }
