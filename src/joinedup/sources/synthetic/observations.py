"""Observations: blood pressure readings and pulse checks, the signals case finding reads.

Why: hypertension control (QOF HYP008/HYP009) is judged on the latest reading in the last
12 months, and AF case finding looks for irregular pulses and single high readings. So:

* Most people on the hypertension register have a reading in the last 12 months. Whether it is
  at or below the threshold (140/90 under 80, 150/90 at 80+) depends on a practice-varying control
  share (mean 74%, lower in deprived practices; CVDPREVENT CVDP007HYP). Some have older readings.
* Some people with undiagnosed hypertension have one high reading (1.98% of adults, CVDP005HYP).
* Other adults have the odd normal reading.
* A share of people aged 65+ have a pulse check. Some with undiagnosed AF are found to have an
  irregular pulse, and so are a few without AF.

Each reading is two events on the same day: a systolic code and a diastolic code, each with its
value in `numeric_value` (mmHg).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from joinedup.sources.synthetic import dates
from joinedup.sources.synthetic.conditions import (
    Conditions,
    practice_offsets,
    practice_quintile,
)
from joinedup.sources.synthetic.records import Context
from joinedup.sources.synthetic.sampling import practice_shares, uniform_days

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def generate_observations(ctx: Context, conditions: Conditions) -> None:
    _blood_pressure(ctx, conditions)
    _pulse_checks(ctx, conditions)


def _reading(
    ctx: Context,
    rng: np.random.Generator,
    who: IntArray,
    day: IntArray,
    sbp: FloatArray,
    dbp: FloatArray,
) -> None:
    systolic = ctx.codes.picker("systolic_bp")
    diastolic = ctx.codes.picker("diastolic_bp")
    ctx.events.add(who, day, systolic.draw(rng, who.shape[0]), np.round(sbp))
    ctx.events.add(who, day, diastolic.draw(rng, who.shape[0]), np.round(dbp))


def _normal(
    rng: np.random.Generator, n: int, mean: float, sd: float, top: float | FloatArray
) -> FloatArray:
    """Normal draws reflected below `top` (readings that stay at or under a threshold)."""
    x = rng.normal(mean, sd, n)
    x = np.where(x > top, 2 * np.asarray(top) - x, x)
    return np.clip(x, mean - 4 * sd, top)


def _around(rng: np.random.Generator, n: int, mean: float, sd: float) -> FloatArray:
    """Normal draws kept within four standard deviations."""
    return np.clip(rng.normal(mean, sd, n), mean - 4 * sd, mean + 4 * sd)


SBP_MAX = 220.0  # readings above this are left out of the synthetic record


def _blood_pressure(ctx: Context, conditions: Conditions) -> None:
    rng = ctx.rng("blood_pressure")
    pop, rates = ctx.population, ctx.rates
    n = len(pop)
    end = pop.end
    year = dates.years(1)
    sbp_sd, dbp_sd = rates.scalar("sbp_sd"), rates.scalar("dbp_sd")
    dbp_mean = rates.scalar("dbp_mean")
    dbp_top = rates.scalar("hyp_threshold_diastolic")

    # Diagnosed: the latest reading within 12 months decides control.
    diagnosed = np.flatnonzero(conditions.hypertension_register)
    n_practices = len(ctx.footprint.practice_codes)
    control = ctx.practice_draws.once(
        "hypertension_control",
        lambda: practice_shares(
            rng,
            rates.scalar("hyp_control_mean"),
            rates.scalar("hyp_control_practice_sd_logit"),
            practice_offsets(rates, "hypertension_control", practice_quintile(pop, n_practices)),
            np.bincount(pop.practice[diagnosed], minlength=n_practices).astype(float),
        ),
    )
    recent = rng.random(diagnosed.shape[0]) < rates.scalar("hyp_bp_recorded_12m")
    who = diagnosed[recent]
    since_diagnosis = np.maximum(conditions.day["hypertension"][who], end[who] - year + 1)
    latest = uniform_days(rng, since_diagnosis, end[who])
    threshold = np.where(
        pop.age[who] >= 80,
        rates.scalar("hyp_threshold_systolic_80_plus"),
        rates.scalar("hyp_threshold_systolic_under_80"),
    )
    controlled = rng.random(who.shape[0]) < control[pop.practice[who]]
    sbp = _normal(rng, who.shape[0], rates.scalar("sbp_controlled_mean"), sbp_sd, threshold)
    dbp = _normal(rng, who.shape[0], dbp_mean, dbp_sd, dbp_top)
    systolic_share = rates.scalar("uncontrolled_systolic_share")
    high_systolic = ~controlled & (rng.random(who.shape[0]) < systolic_share)
    high_diastolic = ~controlled & ~high_systolic
    excess = rng.exponential(rates.scalar("sbp_excess_mean"), who.shape[0])
    sbp = np.where(high_systolic, np.minimum(threshold + 1 + excess, SBP_MAX), sbp)
    dbp = np.where(
        high_diastolic,
        np.minimum(
            dbp_top + 1 + rng.exponential(rates.scalar("dbp_excess_mean"), who.shape[0]), 130
        ),
        dbp,
    )
    _reading(ctx, rng, who, latest, sbp, dbp)

    # An earlier reading for most: any values, at least a month before the latest.
    earlier = rng.random(who.shape[0]) < rates.scalar("hyp_earlier_reading_share")
    e_who = who[earlier]
    e_day = latest[earlier] - 30 - np.floor(rng.random(e_who.shape[0]) * 2 * year).astype(np.int64)
    keep = e_day >= conditions.day["hypertension"][e_who]
    e_who, e_day = e_who[keep], e_day[keep]
    _reading(
        ctx,
        rng,
        e_who,
        e_day,
        _around(rng, e_who.shape[0], rates.scalar("sbp_controlled_mean") + 8, sbp_sd * 1.5),
        _around(rng, e_who.shape[0], dbp_mean + 2, dbp_sd),
    )

    # Diagnosed but no reading in the last 12 months: the last one was 13-30 months ago.
    stale = diagnosed[~recent]
    s_day = end[stale] - year - np.floor(rng.random(stale.shape[0]) * 1.5 * year).astype(np.int64)
    keep = s_day >= conditions.day["hypertension"][stale]
    stale, s_day = stale[keep], s_day[keep]
    _reading(
        ctx,
        rng,
        stale,
        s_day,
        _around(rng, stale.shape[0], rates.scalar("sbp_controlled_mean") + 6, sbp_sd * 1.5),
        _around(rng, stale.shape[0], dbp_mean, dbp_sd),
    )

    # Undiagnosed hypertension: one high reading in the last two years for some.
    adult = pop.age >= 18
    pool = np.flatnonzero(conditions.hypertension_true & ~conditions.hypertension_register & adult)
    wanted = rates.scalar("high_bp_no_diagnosis_18plus") * int(adult.sum())
    high = pool[rng.random(pool.shape[0]) < min(wanted / max(pool.shape[0], 1), 1.0)]
    lo = np.maximum(end[high] - 2 * year + 1, pop.birth[high] + dates.years(18))
    h_day = uniform_days(rng, np.minimum(lo, end[high]), end[high])
    h_sbp = np.minimum(
        141 + rng.exponential(rates.scalar("sbp_excess_mean"), size=high.shape), SBP_MAX
    )
    h_dbp = _around(rng, high.shape[0], dbp_mean + 8, dbp_sd)
    _reading(ctx, rng, high, h_day, h_sbp, h_dbp)

    # Everyone else aged 18+: the odd normal reading in the last five years.
    others = np.zeros(n, dtype=bool)
    others[adult] = True
    others[diagnosed] = False
    others[high] = False
    chosen = np.flatnonzero(others)
    chosen = chosen[rng.random(chosen.shape[0]) < rates.scalar("bp_reading_share_normotensive")]
    lo = np.maximum(end[chosen] - 5 * year + 1, pop.birth[chosen] + dates.years(18))
    n_day = uniform_days(rng, np.minimum(lo, end[chosen]), end[chosen])
    sys_top = rates.scalar("hyp_threshold_systolic_under_80") - 1
    _reading(
        ctx,
        rng,
        chosen,
        n_day,
        _normal(rng, chosen.shape[0], rates.scalar("sbp_normal_mean"), sbp_sd, sys_top),
        _normal(rng, chosen.shape[0], dbp_mean - 3, dbp_sd, dbp_top - 1),
    )


def _pulse_checks(ctx: Context, conditions: Conditions) -> None:
    rng = ctx.rng("pulse_checks")
    pop, rates = ctx.population, ctx.rates
    year = dates.years(1)
    older = np.flatnonzero((pop.age >= 65) & ~conditions.af_coded)
    regular = ctx.codes.picker("pulse_check", excluding="irregular_pulse")
    irregular = ctx.codes.picker("irregular_pulse")
    sensitivity = rates.scalar("irregular_pulse_sensitivity")
    false_positive = rates.scalar("irregular_pulse_false_positive")
    for share, lo_years, hi_years in (
        (rates.scalar("pulse_check_share_65plus"), 0.0, 1.0),
        (rates.scalar("pulse_check_earlier_share"), 1.0, 3.0),
    ):
        who = older[rng.random(older.shape[0]) < share]
        end = pop.end[who]
        # Within the window, and not before the patient turned 65.
        turned_65 = pop.birth[who] + dates.years(65)
        hi = end - int(lo_years * year) - (1 if lo_years else 0)
        lo = np.maximum(end - int(hi_years * year) + 1, turned_65)
        ok = lo <= hi
        who, lo, hi = who[ok], lo[ok], hi[ok]
        day = uniform_days(rng, lo, hi)
        p_irregular = np.where(conditions.af_true[who], sensitivity, false_positive)
        found = rng.random(who.shape[0]) < p_irregular
        ctx.events.add(who[found], day[found], irregular.draw(rng, int(found.sum())))
        ctx.events.add(who[~found], day[~found], regular.draw(rng, int((~found).sum())))
