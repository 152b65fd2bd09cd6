"""Vectorised drawing helpers the generator's stages share.

Why: generating millions of patients in seconds rules out per-patient Python loops. These helpers
draw one value per row for whole arrays at once: a category per row from a per-group distribution,
practice-level shares that vary around a target mean, and row expansion for repeated events.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def logit(p: npt.ArrayLike) -> FloatArray:
    q = np.clip(np.asarray(p, dtype=np.float64), 1e-9, 1 - 1e-9)
    return np.log(q / (1 - q))


def expit(x: npt.ArrayLike) -> FloatArray:
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=np.float64)))


def with_odds_ratio(p: npt.ArrayLike, odds_ratio: float | FloatArray) -> FloatArray:
    """Probabilities whose odds are `odds_ratio` times the odds of `p`."""
    q = np.clip(np.asarray(p, dtype=np.float64), 0.0, 1 - 1e-12)
    odds = q / (1 - q) * odds_ratio
    return odds / (1 + odds)


def marginal_preserving(
    p: FloatArray, exposed_share: FloatArray, odds_ratio: float
) -> tuple[FloatArray, FloatArray]:
    """Split a marginal probability into (unexposed, exposed) with the given odds ratio.

    Solves (1 - s) * p0 + s * OR-adjusted(p0) = p for p0 by bisection, element-wise, so raising a
    condition among people with AF does not raise its prevalence in the whole population.
    """
    lo = np.zeros_like(p)
    hi = np.clip(p, 0, 1).copy()
    for _ in range(50):
        mid = (lo + hi) / 2
        total = (1 - exposed_share) * mid + exposed_share * with_odds_ratio(mid, odds_ratio)
        too_high = total > p
        hi = np.where(too_high, mid, hi)
        lo = np.where(too_high, lo, mid)
    p0 = (lo + hi) / 2
    return p0, with_odds_ratio(p0, odds_ratio)


def grouped_choice(rng: np.random.Generator, group: IntArray, probs: FloatArray) -> IntArray:
    """One category per row, drawn from the row's group distribution `probs[group]`.

    `probs` is (groups, categories) with rows summing to 1 (zero rows are not allowed). Works by
    one `searchsorted` over the groups' cumulative distributions laid end to end.
    """
    groups, k = probs.shape
    cum = np.cumsum(probs, axis=1)
    if np.any(cum[:, -1] <= 0):
        raise ValueError("every group needs a distribution with positive total")
    cum = cum / cum[:, -1:]
    cum[:, -1] = 1.0
    flat = (cum + np.arange(groups)[:, None]).ravel()
    u = rng.random(group.shape[0]) + group
    idx = np.searchsorted(flat, u, side="right") - group * k
    return np.minimum(idx, k - 1).astype(np.int64)


def interpolate_quantiles(u: FloatArray, quantiles: FloatArray, values: FloatArray) -> FloatArray:
    """Values at probabilities `u` from a quantile table, linear on the log of the value."""
    return np.exp(np.interp(u, quantiles, np.log(np.maximum(values, 1e-9))))


def practice_shares(
    rng: np.random.Generator,
    mean: float,
    sd_logit: float,
    offsets: FloatArray,
    weights: FloatArray,
) -> FloatArray:
    """A share per practice: logit-normal about `mean`, shifted by `offsets` (e.g. deprivation).

    The common intercept is solved so that the `weights`-weighted mean of the shares equals
    `mean` (weights are e.g. each practice's number of eligible patients), so the footprint hits
    its target while practices spread around it.
    """
    noise = rng.normal(0.0, sd_logit, size=offsets.shape[0]) + offsets
    w = weights / weights.sum() if weights.sum() > 0 else np.full_like(weights, 1 / len(weights))
    lo, hi = -15.0, 15.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if float((expit(mid + noise) * w).sum()) < mean:
            lo = mid
        else:
            hi = mid
    return expit((lo + hi) / 2 + noise)


def expand(counts: IntArray) -> tuple[IntArray, IntArray]:
    """For counts per owner: (owner index per new row, 0-based position within its owner)."""
    counts = np.asarray(counts, dtype=np.int64)
    owner = np.repeat(np.arange(counts.shape[0], dtype=np.int64), counts)
    starts = np.cumsum(counts) - counts
    within = np.arange(owner.shape[0], dtype=np.int64) - np.repeat(starts, counts)
    return owner, within


def uniform_days(rng: np.random.Generator, lo: IntArray, hi: IntArray) -> IntArray:
    """A whole day drawn uniformly in [lo, hi] for each row (requires lo <= hi)."""
    span = np.asarray(hi, dtype=np.int64) - np.asarray(lo, dtype=np.int64) + 1
    return lo + np.floor(rng.random(span.shape[0]) * span).astype(np.int64)


def largest_remainder(weights: FloatArray, total: int, minimum: int = 0) -> IntArray:
    """Whole numbers proportional to `weights` summing exactly to `total`, each >= minimum.

    Hamilton's method: floor the exact shares, hand the shortfall to the largest remainders
    (ties to the earlier item); any item below `minimum` is raised to it, taking the difference
    from the largest items.
    """
    n = weights.shape[0]
    if total < minimum * n:
        raise ValueError(f"cannot give {n} items at least {minimum} each from {total}")
    exact = weights / weights.sum() * total
    base = np.floor(exact).astype(np.int64)
    short = total - int(base.sum())
    order = np.argsort(-(exact - base), kind="stable")
    base[order[:short]] += 1
    deficit = int(np.maximum(minimum - base, 0).sum())
    base = np.maximum(base, minimum)
    while deficit > 0:
        largest = int(np.argmax(base))
        take = min(deficit, int(base[largest]) - minimum)
        base[largest] -= take
        deficit -= take
    return base


BLOCK = 16
"""People per block in `blocked_uniforms`."""


def blocked_uniforms(rng: np.random.Generator, similar: FloatArray) -> FloatArray:
    """A uniform draw per row, stratified within blocks of rows with similar `similar` values.

    Rows are sorted by `similar` and cut into blocks of BLOCK; each block's rows take its BLOCK
    strata of (0, 1) in random order, with a uniform draw inside each stratum. Every row's draw
    is still uniform on (0, 1), but a block's share of draws below any threshold near its rows'
    chances is almost exact, so counts over many rows barely vary from run to run.
    """
    n = int(similar.shape[0])
    if n == 0:
        return np.zeros(0)
    block = np.empty(n, dtype=np.int64)
    block[np.argsort(similar, kind="stable")] = np.arange(n) // BLOCK
    order = np.lexsort((rng.random(n), block))
    sizes = np.bincount(block)
    starts = np.cumsum(sizes) - sizes
    stratum = np.empty(n, dtype=np.int64)
    stratum[order] = np.arange(n) - starts[block[order]]
    return (stratum + rng.random(n)) / sizes[block]
