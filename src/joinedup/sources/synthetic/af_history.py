"""When each AF diagnosis was first coded, so the register moves over time as the scenario says.

Why a module of its own: `joinedup progress` measures the AF programme at earlier dates, and the
detection rate there (the register at the date over the AF expected at the date) is only right if
diagnosis dates are consistent with the expected-prevalence model and the scenario. Plain
"exponential time since diagnosis" makes the register grow faster than expected AF going forward,
so even a steady footprint would seem to improve. `af_first_days` dates diagnoses so that it does
not; the rest of this module supports it.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from joinedup.domain.contract import SEXES
from joinedup.sources.synthetic import dates
from joinedup.sources.synthetic.population import CURRENT
from joinedup.sources.synthetic.rates import MAX_AGE, Rates
from joinedup.sources.synthetic.records import Context
from joinedup.sources.synthetic.sampling import blocked_uniforms
from joinedup.sources.synthetic.scenario import Trend

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

GRID_PER_YEAR = 12
_MONTHS = 12 * (MAX_AGE + 1)
"""Points a year (monthly) at which `af_first_days` evaluates each person's curve."""


def af_first_days(
    rng: np.random.Generator, ctx: Context, who: IntArray, detection: Trend
) -> IntArray:
    """The first AF code's day for each person in `who` (everyone ever coded with AF).

    Why this shape: the AF programme's detection rate at an earlier date d is the register at d
    over the AF expected at d from the age/sex table. For that to be the scenario's share at d,
    a person coded by their last day `end` must have been coded by d = end - x with probability

        g(x) = prev(age at d) / prev(age at end) × share(d) / share(end)

    The first factor is the chance their AF had begun by d, from the table's rise with age
    (`onset_chance`); the second is the scenario's change. Within `history_years` the day is
    drawn by inverting g with blocked stratified uniforms (`blocked_uniforms`, so a small
    footprint's series is not noisier than it must be); earlier diagnoses lie a further
    exponential time (mean `af_duration_mean_years`) back, never before age 18 (or half their
    age if younger).
    """
    pop, rates = ctx.population, ctx.rates
    n = int(who.shape[0])
    end, birth = pop.end[who], pop.birth[who]
    window = rates.scalar("history_years")
    grid = np.linspace(0.0, window, int(np.ceil(window * GRID_PER_YEAR)) + 1)  # years before end
    ratio = onset_chance(ctx, who, grid)
    days_before = np.round(grid * dates.DAYS_PER_YEAR).astype(np.int64)
    practice = np.broadcast_to(pop.practice[who][:, None], ratio.shape)
    share_then = detection.at(practice, end[:, None] - days_before[None, :])
    g = ratio * share_then / share_then[:, :1]
    g = np.minimum.accumulate(np.minimum(g, 1.0), axis=1)  # a chance that only falls with x

    u = blocked_uniforms(rng, g[:, g.shape[1] // 2])
    years_before = invert_falling(g, grid, u)
    before = np.isnan(years_before)
    tail = window + rng.exponential(rates.scalar("af_duration_mean_years"), n)
    years_before = np.where(before, tail, years_before)
    duration = np.floor(years_before * dates.DAYS_PER_YEAR).astype(np.int64)
    earliest = birth + dates.years(18)
    room = np.where(earliest < end, end - earliest, (end - birth) // 2)
    return (end - np.minimum(duration, room)).astype(np.int64)


def invert_falling(g: FloatArray, grid: FloatArray, u: FloatArray) -> FloatArray:
    """Per row, the x where the falling curve g(x) (sampled at `grid`, g[:, 0] = 1) crosses u.

    Linear between grid points; NaN where g stays at or above u over the whole grid.
    """
    n, points = g.shape
    above = (g >= u[:, None]).sum(axis=1)  # grid points at which the curve is still above u
    k = np.clip(above, 1, points - 1)
    rows = np.arange(n)
    g0, g1 = g[rows, k - 1], g[rows, k]
    falls = g0 > g1
    step = np.where(falls, (g0 - u) / np.where(falls, g0 - g1, 1.0), 0.0)
    x = grid[k - 1] + np.clip(step, 0.0, 1.0) * (grid[k] - grid[k - 1])
    return np.where(above < points, x, np.nan)


def onset_chance(ctx: Context, who: IntArray, grid: FloatArray) -> FloatArray:
    """For each person and each x in `grid`: the chance their AF had begun x years before end.

    It is prev(age then) / prev(age at end), smooth per person (`smooth_log_prevalence`), scaled
    by one footprint factor per date so that, summed over everyone with AF in the programme's
    population at that date (registered, alive, not opted out, including those who later died
    or moved away), it is today's share times the AF the programme expects at that date (its
    step table): the series is then steady up to practice-level noise, whatever the footprint's
    size. Chances never rise going back in time.
    """
    pop, rates = ctx.population, ctx.rates
    ratio = _smooth_ratio(rates, pop.sex[who], (pop.end[who] - pop.birth[who]), grid)
    counted = ~pop.opted_out
    current = counted & (pop.status == CURRENT)
    ended = np.flatnonzero(counted & (pop.status != CURRENT))
    days = ctx.reference - np.round(grid * dates.DAYS_PER_YEAR).astype(np.int64)
    step = rates.by_age("af_prevalence", "prevalence")

    expected = _current_expected(ctx, current, grid, step)
    for j, day in enumerate(days):
        inside = ended[(pop.registered_from[ended] <= day) & (pop.end[ended] > day)]
        age = np.clip((day - pop.birth[inside]) * 10_000 // _DAYS_10K, 0, MAX_AGE)
        expected[j] += step[pop.sex[inside], age].sum()

    # AF already begun by each date: the current (own grid = calendar grid) and those who left
    # or died, each at its own distance from its last day; cells outside the population are 0.
    mine = current[who]
    joined = np.searchsorted(grid, (ctx.reference - pop.registered_from[who]) / dates.DAYS_PER_YEAR,
                             side="right")
    present = joined[mine, None] > np.arange(grid.shape[0])[None, :]
    gone = who[~pop.opted_out[who] & (pop.status[who] != CURRENT)]
    offset = (ctx.reference - pop.end[gone]) / dates.DAYS_PER_YEAR
    x = grid[None, :] - offset[:, None]
    alive = (x > 0) & (pop.registered_from[gone][:, None] <= days[None, :])
    gone_ratio = _smooth_ratio(rates, pop.sex[gone], pop.end[gone] - pop.birth[gone],
                               np.maximum(x, 0.0))
    begun = np.vstack([ratio[mine] * present, gone_ratio * alive])

    share_today = mine.sum() / expected[0] if expected[0] > 0 else 0.0
    target = share_today * expected
    factor = _solve_factor(begun, target)
    own_offset = (ctx.reference - pop.end[who]) / dates.DAYS_PER_YEAR
    per_person = np.interp(own_offset[:, None] + grid[None, :], grid, factor)
    chance = np.minimum.accumulate(np.minimum(ratio * per_person, 1.0), axis=1)

    # The currently registered again, date by date, so that no one's chance rises going back
    # (being coded by an earlier date implies being coded by a later one) and the sum still hits
    # the target once those who left or died have taken their share.
    was_here = np.minimum(gone_ratio * factor[None, :], 1.0) * alive
    today = np.flatnonzero(pop.status[who] == CURRENT)
    counts = np.zeros((today.shape[0], grid.shape[0]), dtype=bool)
    counts[mine[today]] = present
    chance[today] = _monotone_chances(ratio[today], counts, target - was_here.sum(axis=0))
    return chance


_DAYS_10K = round(dates.DAYS_PER_YEAR * 10_000)


def _monotone_chances(ratio: FloatArray, counts: BoolArray, target: FloatArray) -> FloatArray:
    """Column by column: chance = min(ratio * f, previous column), f solved so the chances of the
    rows that `counts` sum to `target` (as near as the cap allows)."""
    chance = np.ones_like(ratio)
    for j in range(1, ratio.shape[1]):
        cap = chance[:, j - 1]
        rows = counts[:, j]
        r, c = ratio[rows, j], cap[rows]
        lo, hi = 0.25, 4.0
        for _ in range(30):
            mid = (lo + hi) / 2
            if np.minimum(r * mid, c).sum() < target[j]:
                lo = mid
            else:
                hi = mid
        chance[:, j] = np.minimum(ratio[:, j] * (lo + hi) / 2, cap)
    return chance


def _solve_factor(begun: FloatArray, target: FloatArray) -> FloatArray:
    """Per column, f with sum(min(begun * f, 1)) = target (a chance cannot pass 1), in [0.5, 2]."""
    lo = np.full(target.shape[0], 0.5)
    hi = np.full(target.shape[0], 2.0)
    for _ in range(30):
        mid = (lo + hi) / 2
        low = np.minimum(begun * mid[None, :], 1.0).sum(axis=0) < target
        lo = np.where(low, mid, lo)
        hi = np.where(low, hi, mid)
    factor = (lo + hi) / 2
    factor[0] = 1.0
    return factor


def _smooth_ratio(
    rates: Rates, sex: IntArray, age_days: IntArray, years_before: FloatArray
) -> FloatArray:
    """exp(L(age - x) - L(age)) with L the smooth log prevalence; `years_before` is a grid
    (broadcast to every person) or one row of x per person."""
    age = age_days / dates.DAYS_PER_YEAR
    x = np.broadcast_to(years_before, (sex.shape[0], years_before.shape[-1]))
    out = np.empty(x.shape)
    for s, (mid, value) in enumerate(smooth_log_prevalence(rates)):
        rows = sex == s
        at_end = np.interp(age[rows], mid, value)
        out[rows] = np.exp(np.interp(age[rows, None] - x[rows], mid, value) - at_end[:, None])
    return out


def _current_expected(
    ctx: Context, current: BoolArray, grid: FloatArray, step: FloatArray
) -> FloatArray:
    """AF expected at each grid date among today's list (those already registered then)."""
    pop = ctx.population
    since = (ctx.reference - pop.registered_from[current]) / dates.DAYS_PER_YEAR
    joined = np.searchsorted(grid, since, side="right")  # registered at grid points < joined
    months = (ctx.reference - pop.birth[current]) * 12 // round(dates.DAYS_PER_YEAR)
    months = np.clip(months, 0, _MONTHS - 1)
    size = grid.shape[0] + 1
    cell = (pop.sex[current] * _MONTHS + months) * size + joined
    hist = np.bincount(cell, minlength=2 * _MONTHS * size).reshape(2, _MONTHS, size)
    registered = np.flip(np.cumsum(np.flip(hist, axis=2), axis=2), axis=2)[:, :, 1:]
    age_then = np.floor(np.arange(_MONTHS)[:, None] / 12 - grid[None, :]).astype(np.int64)
    age_then = np.clip(age_then, 0, MAX_AGE)
    expected: FloatArray = np.zeros(grid.shape[0])
    for s in range(len(SEXES)):
        expected += (registered[s] * step[s, age_then]).sum(axis=0)
    return expected


def smooth_log_prevalence(rates: Rates) -> list[tuple[FloatArray, FloatArray]]:
    """Per sex (contract order): band midpoints and log AF prevalence, for interpolation.

    The programme's table is a step per five-year band; interpolating the log between midpoints
    gives each person a smooth rise with age, so diagnoses do not pile up on birthdays.
    """
    table = rates.table("af_prevalence")
    out: list[tuple[FloatArray, FloatArray]] = []
    for sex in SEXES:
        points = []
        for i, row in enumerate(table.rows):
            if row["sex"] != sex:
                continue
            lo = table.float_at(i, "age_from")
            hi = lo + 4 if row["age_to"] == "" else table.float_at(i, "age_to")
            value = max(table.float_at(i, "prevalence"), 1e-6)
            points.append(((lo + hi + 1) / 2, np.log(value)))
        points.sort()
        out.append((np.array([p[0] for p in points]), np.array([p[1] for p in points])))
    return out
