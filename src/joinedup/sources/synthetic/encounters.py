"""Hospital and community encounters over the last two years, at the footprint's organisations.

Why: the shared care record notifies admissions and discharges and shows a patient's contacts
across organisations, so the generator gives each patient encounters at realistic, age-dependent
rates (higher in deprived areas, varying by practice). Admissions are 29,260 per 100,000 a year
(HES 2014-15) with a mean stay of 5.0 days; A&E, outpatient and community rates are calibrated or
assumed (docs/parameters/synthetic.md). Acute care goes to the place's trusts in catchment shares,
community visits to the place's community team. A stroke or TIA coded in the window comes with
an admission carrying the same code.

Each admission has a matching ``discharge`` encounter at its end. A patient still in hospital on
the reference date has an admission with no end and no discharge. One who died in hospital has
an admission ending on the day of death and no discharge.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from joinedup.domain.contract import ENCOUNTER_KINDS
from joinedup.sources.synthetic import dates
from joinedup.sources.synthetic.conditions import (
    Conditions,
    cell_index,
    cell_normalised,
    deprivation_relative,
)
from joinedup.sources.synthetic.population import DIED
from joinedup.sources.synthetic.rates import MAX_AGE
from joinedup.sources.synthetic.records import Context
from joinedup.sources.synthetic.sampling import expand, grouped_choice, uniform_days

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

KINDS = ENCOUNTER_KINDS
MINUTE = 60_000_000  # microseconds
HOUR = 60 * MINUTE
DAY = 24 * HOUR
NO_TIME = np.iinfo(np.int64).min


@dataclass
class Encounters:
    """Parallel arrays, one row per encounter (times in microseconds since 1970)."""

    patient: IntArray
    org: IntArray  # index into `org_codes`
    kind: IntArray  # index into KINDS
    start: IntArray
    end: IntArray  # NO_TIME when open
    code: IntArray  # SNOMED vocabulary index, -1 for none
    org_codes: list[str]

    def __len__(self) -> int:
        return int(self.patient.shape[0])


def generate_encounters(ctx: Context, conditions: Conditions) -> Encounters:
    rng = ctx.rng("encounters")
    pop, rates, fp = ctx.population, ctx.rates, ctx.footprint
    n = len(pop)
    window = dates.years(rates.scalar("encounter_window_years"))
    start_day = np.maximum(pop.end - window + 1, pop.birth)
    exposure = (pop.end - start_day + 1) / dates.DAYS_PER_YEAR
    place = fp.practice_place[pop.practice]
    cell = cell_index(pop)
    sd = rates.scalar("encounter_practice_sd_log")
    practice_effect = ctx.practice_draws.once(
        "encounters", lambda: np.exp(rng.normal(-(sd**2) / 2, sd, len(fp.practice_codes)))
    )[pop.practice]

    org_codes = list(fp.trusts) + list(fp.community_teams)
    trust_probs = _catchment(ctx, org_codes)
    parts: list[tuple[IntArray, IntArray, int, IntArray, IntArray, IntArray]] = []

    for kind in ("admission", "ae_attendance", "outpatient", "community_visit"):
        rate = rates.by_age("encounter_rates", "rate_per_year", where={"kind": kind})
        relative = cell_normalised(cell, deprivation_relative(rates, kind, pop.imd_quintile))
        mean = rate[pop.sex, np.minimum(pop.age, MAX_AGE)] * exposure * relative * practice_effect
        owner, _ = expand(rng.poisson(mean))
        day = uniform_days(rng, start_day[owner], pop.end[owner])
        if kind == "community_visit":
            org = len(fp.trusts) + place[owner]
        else:
            org = grouped_choice(rng, place[owner], trust_probs)
        start, end = _times(ctx, rng, kind, owner, day)
        parts.append((owner, org, KINDS.index(kind), start, end, np.full(owner.shape[0], -1)))

    # Strokes and TIAs coded in the window come with an admission carrying the same code.
    stroke_day = conditions.day["stroke_tia"]
    in_window = conditions.coded["stroke_tia"] & (stroke_day >= start_day)
    in_window &= rng.random(n) < rates.scalar("stroke_admission_share")
    who = np.flatnonzero(in_window)
    org = grouped_choice(rng, place[who], trust_probs)
    start, end = _times(ctx, rng, "admission", who, stroke_day[who])
    parts.append((who, org, KINDS.index("admission"), start, end, conditions.stroke_code[who]))

    # A discharge for every admission that ended alive before the reference date.
    discharges = []
    for owner, org, kind_index, _start, end, _code in parts:
        if kind_index != KINDS.index("admission"):
            continue
        done = (end != NO_TIME) & ~((pop.status[owner] == DIED) & (end // DAY >= pop.end[owner]))
        discharges.append(
            (
                owner[done],
                org[done],
                KINDS.index("discharge"),
                end[done],
                end[done],
                np.full(int(done.sum()), -1),
            )
        )
    parts += discharges

    return Encounters(
        patient=np.concatenate([p[0] for p in parts]),
        org=np.concatenate([p[1] for p in parts]).astype(np.int64),
        kind=np.concatenate([np.full(p[0].shape[0], p[2]) for p in parts]).astype(np.int64),
        start=np.concatenate([p[3] for p in parts]),
        end=np.concatenate([p[4] for p in parts]),
        code=np.concatenate([p[5] for p in parts]).astype(np.int64),
        org_codes=org_codes,
    )


def _catchment(ctx: Context, org_codes: list[str]) -> npt.NDArray[np.float64]:
    """Per place, the share of its acute care going to each trust (rows sum to 1)."""
    table = ctx.rates.table("catchment")
    keys = [p.key for p in ctx.footprint.places]
    probs = np.zeros((len(keys), len(org_codes)))
    for i, row in enumerate(table.rows):
        if row["place"] in keys:
            probs[keys.index(row["place"]), org_codes.index(row["trust_code"])] = table.float_at(
                i, "share"
            )
    empty = [k for k, row in zip(keys, probs, strict=True) if row.sum() <= 0]
    if empty:
        raise ValueError(f"{table.path}: no trusts listed for place(s) {empty}")
    return probs / probs.sum(axis=1, keepdims=True)


def _times(
    ctx: Context, rng: np.random.Generator, kind: str, owner: IntArray, day: IntArray
) -> tuple[IntArray, IntArray]:
    """Start and end times for encounters of one kind starting on `day`."""
    rates, pop = ctx.rates, ctx.population
    n = owner.shape[0]
    minute_of_day = rng.integers(0, 24 * 60, n)
    if kind in ("outpatient", "community_visit"):
        minute_of_day = rng.integers(8 * 60, 17 * 60, n)
    start = day * DAY + minute_of_day * MINUTE
    if kind == "admission":
        day_case = rng.random(n) < rates.scalar("admission_day_case_share")
        overnight_mean = rates.scalar("admission_mean_los_days") / (
            1 - rates.scalar("admission_day_case_share")
        )
        stay_days = np.where(day_case, 0, 1 + np.floor(rng.exponential(overnight_mean - 1, n)))
        end_day = day + stay_days.astype(np.int64)
        end_minute = np.where(
            day_case,
            np.minimum(minute_of_day + rng.integers(120, 480, n), 24 * 60 - 1),
            rng.integers(9 * 60, 20 * 60, n),
        )
        end = end_day * DAY + end_minute * MINUTE
        end = np.maximum(end, start + MINUTE)
        died = pop.status[owner] == DIED
        death = pop.end[owner]
        # Died in hospital: the stay ends on the day of death. Still in on the reference date: open.
        end = np.where(died & (end_day >= death), np.maximum(death * DAY + 23 * HOUR, start), end)
        # (By the end time's own day: a day case begun at 23:59 on the reference date ends at
        # midnight after it, and so is still open then.)
        end = np.where(~died & (end // DAY > ctx.reference), NO_TIME, end)
        return start, end
    if kind == "ae_attendance":
        hours = np.minimum(rng.exponential(rates.scalar("ae_mean_hours"), n), 23)
        end = start + np.maximum(np.round(hours * 60), 15).astype(np.int64) * MINUTE
        last_minute = (pop.end[owner] + 1) * DAY - MINUTE  # not past death or the reference date
        return start, np.maximum(np.minimum(end, last_minute), start)
    minutes = rates.scalar(
        "outpatient_minutes" if kind == "outpatient" else "community_visit_minutes"
    )
    return start, start + int(minutes) * MINUTE
