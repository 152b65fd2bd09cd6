"""Diagnoses: true and recorded AF, and the CHA2DS2-VASc conditions, as coded events.

Why this shape: the AF programme measures how far recorded AF falls short of true AF and who is
eligible for anticoagulation, so the generator keeps both truths and records apart:

* True AF follows the AF programme's own prevalence table by age and sex (lower in Asian and
  Black groups, Martinez 2015, normalised so each age/sex cell keeps the table's rate).
* A practice-varying share of true AF is on the register (mean 79%, lower in deprived
  practices); some records carry an "AF resolved" code, some of those a later AF code again.
* AF diagnoses are dated so that the register at any date in the last `history_years` is the
  scenario's share of the AF expected at that date (af_history.py), so a series of measures
  shows the scenario's change and nothing else.
* Heart failure, diabetes, stroke/TIA and vascular disease follow calibrated age/sex tables,
  more common in deprived areas and raised among people with AF (odds ratios solved so 84.5% of
  people with AF score 2 or more), without changing each condition's overall prevalence.
* Hypertension is true (HSE 2022) then diagnosed for an age/sex share that varies by practice.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from joinedup.domain.contract import ETHNICITIES
from joinedup.domain.parameters import ParameterError
from joinedup.sources.synthetic import dates
from joinedup.sources.synthetic.af_history import af_first_days
from joinedup.sources.synthetic.population import FEMALE, Population
from joinedup.sources.synthetic.rates import MAX_AGE, Rates
from joinedup.sources.synthetic.records import Context
from joinedup.sources.synthetic.sampling import (
    expit,
    logit,
    marginal_preserving,
    practice_shares,
)
from joinedup.sources.synthetic.scenario import Trend

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

NO_DAY = -(10**9)
COMPONENTS = ("heart_failure", "hypertension", "diabetes", "stroke_tia", "vascular_disease")
CODELISTS = {
    "heart_failure": "heart_failure",
    "hypertension": "hypertension",
    "diabetes": "diabetes",
    "stroke_tia": "stroke_tia_te",
    "vascular_disease": "vascular_disease",
}
MIN_AGE = {  # youngest age at diagnosis assumed when placing a diagnosis date
    "heart_failure": 18,
    "hypertension": 18,
    "diabetes": 1,
    "stroke_tia": 18,
    "vascular_disease": 18,
}


@dataclass
class Conditions:
    """Per patient: truths, what is coded, diagnosis days and the CHA2DS2-VASc score at `end`."""

    af_true: BoolArray
    af_coded: BoolArray  # any AF code
    af_register: BoolArray  # latest AF code not followed by AF resolved
    af_day: IntArray  # first AF code (NO_DAY if none)
    hypertension_true: BoolArray
    hypertension_register: BoolArray
    coded: dict[str, BoolArray]  # component -> ever coded
    day: dict[str, IntArray]  # component -> diagnosis day (NO_DAY if none)
    stroke_code: IntArray  # the stroke/TIA code used (vocabulary index; -1 if none)
    score: IntArray  # CHA2DS2-VASc from what is coded, at each patient's end date


def cell_index(population: Population) -> IntArray:
    return population.sex * (MAX_AGE + 1) + np.minimum(population.age, MAX_AGE)


def cell_normalised(cell: IntArray, values: FloatArray) -> FloatArray:
    """`values` divided by their mean within each age/sex cell (so cell means stay 1)."""
    size = (MAX_AGE + 1) * 2
    total = np.bincount(cell, weights=values, minlength=size)
    count = np.bincount(cell, minlength=size)
    mean = np.divide(total, count, out=np.ones(size), where=count > 0)
    return values / mean[cell]


def practice_quintile(population: Population, n_practices: int) -> IntArray:
    """Practice deprivation quintile (1 = most deprived) from its patients' mean IMD decile."""
    total = np.bincount(population.practice, weights=population.imd_decile, minlength=n_practices)
    count = np.bincount(population.practice, minlength=n_practices)
    mean = np.divide(total, count, out=np.full(n_practices, 5.5), where=count > 0)
    return np.clip(np.ceil(mean / 2), 1, 5).astype(np.int64)


def practice_offsets(rates: Rates, measure: str, quintile: IntArray) -> FloatArray:
    table = rates.table("practice_deprivation")
    offsets = np.zeros(6)
    found = 0
    for i, row in enumerate(table.rows):
        if row["measure"] == measure:
            offsets[int(row["imd_quintile"])] = table.float_at(i, "logit_offset")
            found += 1
    if found != 5:
        raise ParameterError(
            f"{table.path}: need five quintile rows for {measure!r}, found {found}"
        )
    return offsets[quintile]


def deprivation_relative(rates: Rates, measure: str, quintile: IntArray) -> FloatArray:
    table = rates.table("deprivation_gradient")
    rel = np.ones(6)
    found = 0
    for i, row in enumerate(table.rows):
        if row["measure"] == measure:
            rel[int(row["imd_quintile"])] = table.float_at(i, "relative")
            found += 1
    if found != 5:
        raise ParameterError(
            f"{table.path}: need five quintile rows for {measure!r}, found {found}"
        )
    return rel[quintile]


def diagnosis_days(
    rng: np.random.Generator,
    population: Population,
    who: IntArray,
    mean_years: float,
    min_age: int,
) -> IntArray:
    """A diagnosis day for each patient in `who`: exponential time before their end date."""
    end = population.end[who]
    birth = population.birth[who]
    duration = np.floor(rng.exponential(mean_years * dates.DAYS_PER_YEAR, who.shape[0]))
    earliest = birth + dates.years(min_age)
    room = np.where(earliest < end, end - earliest, (end - birth) // 2)
    return (end - np.minimum(duration.astype(np.int64), room)).astype(np.int64)


def generate_conditions(ctx: Context) -> Conditions:
    rng = ctx.rng("conditions")
    pop, rates = ctx.population, ctx.rates
    n = len(pop)
    cell = cell_index(pop)
    age = np.minimum(pop.age, MAX_AGE)
    n_practices = len(ctx.footprint.practice_codes)
    quintile = pop.imd_quintile
    p_quintile = practice_quintile(pop, n_practices)

    # True AF: the programme's table, tilted by ethnicity within each age/sex cell.
    af_table = rates.by_age("af_prevalence", "prevalence")
    relative = rates.keyed("af_ethnicity", "ethnicity", "relative_rate")
    rr = np.array([relative.get(e, 1.0) for e in ETHNICITIES])[pop.ethnicity]
    p_af = af_table[pop.sex, age] * cell_normalised(cell, rr)
    af_true = rng.random(n) < np.clip(p_af, 0, 1)

    odds = rates.keyed("af_comorbidity", "condition", "odds_ratio")
    coded: dict[str, BoolArray] = {}
    day: dict[str, IntArray] = {}
    hyp_true = np.zeros(n, dtype=bool)
    for name in COMPONENTS:
        marginal = rates.by_age("conditions", "prevalence", where={"condition": name})
        p0, p1 = marginal_preserving(marginal, af_table, odds[name])
        p = np.where(af_true, p1[pop.sex, age], p0[pop.sex, age])
        p = p * cell_normalised(cell, deprivation_relative(rates, name, quintile))
        has = rng.random(n) < np.clip(p, 0, 0.95)
        if name == "hypertension":
            hyp_true = has
            has = has & _hypertension_diagnosed(rng, ctx)
        coded[name] = has
        who = np.flatnonzero(has)
        d = np.full(n, NO_DAY, dtype=np.int64)
        mean = rates.scalar(f"{name}_duration_mean_years")
        d[who] = diagnosis_days(rng, pop, who, mean, MIN_AGE[name])
        day[name] = d

    stroke_code = np.full(n, -1, dtype=np.int64)
    for name in COMPONENTS:
        who = np.flatnonzero(coded[name])
        codes = ctx.codes.picker(CODELISTS[name]).draw(rng, who.shape[0])
        ctx.events.add(who, day[name][who], codes)
        if name == "stroke_tia":
            stroke_code[who] = codes

    hyp_register = coded["hypertension"].copy()
    _resolved_elsewhere(rng, ctx, af_true, coded, day, "hypertension", "hyp_resolved_share")
    _resolved_elsewhere(rng, ctx, af_true, coded, day, "diabetes", "dm_resolved_share")

    af_coded, af_register, af_day = _af_records(rng, ctx, af_true, p_quintile)
    score = cha2ds2vasc(pop, coded)
    return Conditions(
        af_true=af_true,
        af_coded=af_coded,
        af_register=af_register,
        af_day=af_day,
        hypertension_true=hyp_true,
        hypertension_register=hyp_register,
        coded=coded,
        day=day,
        stroke_code=stroke_code,
        score=score,
    )


def _hypertension_diagnosed(rng: np.random.Generator, ctx: Context) -> BoolArray:
    """Diagnosed share by age and sex, shifted up or down per practice on the logit scale."""
    pop = ctx.population
    share = ctx.rates.by_age("hypertension_diagnosis", "diagnosed_share")
    sd = ctx.rates.scalar("hyp_diagnosis_practice_sd_logit")
    effect = ctx.practice_draws.once(
        "hypertension_diagnosed", lambda: rng.normal(0.0, sd, len(ctx.footprint.practice_codes))
    )
    base = logit(share[pop.sex, np.minimum(pop.age, MAX_AGE)])
    return rng.random(len(pop)) < expit(base + effect[pop.practice])


def _resolved_elsewhere(
    rng: np.random.Generator,
    ctx: Context,
    af_true: BoolArray,
    coded: dict[str, BoolArray],
    day: dict[str, IntArray],
    name: str,
    share_name: str,
) -> None:
    """People coded once and later resolved, off the register; never people with AF.

    They are drawn from adults 30+ without the condition coded, so the register keeps its
    calibrated size while the resolved code still appears in the record.
    """
    pop = ctx.population
    share = ctx.rates.scalar(share_name)
    registered = int(coded[name].sum())
    wanted = round(registered * share / (1 - share))
    pool = np.flatnonzero(~coded[name] & ~af_true & (pop.age >= 30))
    if wanted == 0 or pool.shape[0] == 0:
        return
    who = np.sort(rng.choice(pool, size=min(wanted, pool.shape[0]), replace=False))
    mean = ctx.rates.scalar(f"{name}_duration_mean_years")
    first = diagnosis_days(rng, pop, who, mean, MIN_AGE[name])
    first = np.minimum(first, pop.end[who] - 1)
    resolved = (
        first + 1 + np.floor(rng.random(who.shape[0]) * (pop.end[who] - first)).astype(np.int64)
    )
    resolved = np.minimum(resolved, pop.end[who])
    ctx.events.add(who, first, ctx.codes.picker(CODELISTS[name]).draw(rng, who.shape[0]))
    ctx.events.add(who, resolved, ctx.codes.picker(f"{CODELISTS[name]}_resolved").first())
    coded[name][who] = True  # ever coded counts towards CHA2DS2-VASc
    day[name][who] = first


def _af_records(
    rng: np.random.Generator, ctx: Context, af_true: BoolArray, p_quintile: IntArray
) -> tuple[BoolArray, BoolArray, IntArray]:
    """AF codes: register share by practice, resolved and re-coded patterns, and their dates."""
    pop, rates = ctx.population, ctx.rates
    n = len(pop)
    n_practices = len(ctx.footprint.practice_codes)
    true_per_practice = np.bincount(pop.practice[af_true], minlength=n_practices).astype(float)

    def draw() -> Trend:
        share = practice_shares(
            rng,
            rates.scalar("af_register_share_mean"),
            rates.scalar("af_register_practice_sd_logit"),
            practice_offsets(rates, "af_detection", p_quintile),
            true_per_practice,
        )
        return ctx.change.trend("af_register", share, true_per_practice)

    detection = ctx.practice_draws.once("af_register", draw)
    # Today's share for the currently registered; the share at their last day for the rest.
    register = af_true & (rng.random(n) < detection.at(pop.practice, pop.end))

    # Resolved codes: r of everyone ever coded has one; c of those were coded again later.
    r, c = rates.scalar("af_resolved_share"), rates.scalar("af_recoded_share")
    n_reg, n_true = int(register.sum()), int(af_true.sum())
    ever = n_reg / (1 - (1 - c) * r) if n_reg else 0.0
    x = min(c * r * ever / max(n_reg, 1), 1.0)  # share of the register: AF, resolved, AF
    y = min((1 - c) * r * ever / max(n_true - n_reg, 1), 1.0)  # of the rest: AF, resolved
    recoded = register & (rng.random(n) < x)
    off = af_true & ~register & (rng.random(n) < y)
    coded = register | off

    who = np.flatnonzero(coded)
    first = af_first_days(rng, ctx, who, detection)
    needs_room = recoded[who] | off[who]
    first = np.where(needs_room, np.minimum(first, pop.end[who] - 60), first)
    first = np.maximum(first, pop.birth[who])
    af = ctx.codes.picker("af")
    ctx.events.add(who, first, af.draw(rng, who.shape[0]))
    af_day = np.full(n, NO_DAY, dtype=np.int64)
    af_day[who] = first

    # AF, then resolved, then (for the re-coded) AF again: three distinct days in order.
    gap = pop.end[who] - first
    fits = gap >= 2  # only the very youngest could lack room; they keep a single AF code
    needs_room &= fits
    register[who[off[who] & ~fits]] = True
    resolved = first + 1 + np.floor(rng.random(who.shape[0]) * (gap // 2)).astype(np.int64)
    room = np.maximum(pop.end[who] - resolved - 1, 0)
    again = resolved + 1 + np.floor(rng.random(who.shape[0]) * room).astype(np.int64)
    resolved_code = ctx.codes.picker("af_resolved").first()
    ctx.events.add(who[needs_room], resolved[needs_room], resolved_code)
    back = recoded[who] & fits
    ctx.events.add(who[back], again[back], af.draw(rng, int(back.sum())))
    return coded, register, af_day


def cha2ds2vasc(population: Population, coded: dict[str, BoolArray]) -> IntArray:
    """The score at each patient's end date from what is coded (as the AF programme scores it)."""
    age = population.age
    score = np.where(age >= 75, 2, np.where(age >= 65, 1, 0)).astype(np.int64)
    score += population.sex == FEMALE
    score += coded["heart_failure"]
    score += coded["hypertension"]
    score += coded["diabetes"]
    score += 2 * coded["stroke_tia"].astype(np.int64)
    score += coded["vascular_disease"]
    return score
