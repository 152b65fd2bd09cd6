"""Inequality statistics: groups, confidence intervals, deprivation gaps, SII/RII, need.

Why: the partnership means to improve the lives of the poorest fastest and to focus on the PCNs
with the highest need. So every measure is broken down by IMD quintile, ethnicity group, age band
and sex, with a Wilson interval so small groups are not over-read; the gap between the most and
least deprived is given both ways (absolute and relative) and across the whole gradient (slope
and relative index of inequality); and PCNs are ranked by a documented "highest need" score.
docs/inequalities.md has the formulas and worked examples; everything here is pure arithmetic.

Conventions (fixed, so charts and tables agree):
- IMD quintile 1 is the **most** deprived, 5 the least (as IMD deciles 1-2 -> 1 ... 9-10 -> 5).
- Gaps and the SII are "least deprived minus most deprived": for a measure where higher is better
  (detection, treatment), a positive value means the most deprived do worse.
- The SII's x axis is the ridit (cumulative population midpoint) from 0 at the most deprived end
  to 1 at the least deprived end, so the SII is the modelled difference between the two ends.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist

from joinedup.domain.contract import ETHNICITIES, SEXES
from joinedup.domain.errors import UserError
from joinedup.domain.measures import PracticeCounts

DIMENSIONS = ("imd_quintile", "ethnicity", "age_band", "sex")
"""The breakdowns every measure gets (issue 5); in aggregate mode imd_quintile is the practice's."""
UNKNOWN = "Unknown"
"""The group for a missing value, so breakdowns still add up to the totals."""
DEFAULT_AGE_EDGES = (18, 40, 60, 80)
"""Lower edges of the age bands after the first: 0-17, 18-39, 40-59, 60-79, 80 and over."""


class InequalityError(UserError):
    """Input the statistics cannot use: negative counts, a breakdown that misses the total."""


# --- groups -------------------------------------------------------------------------------


def imd_quintile(decile: int | None) -> int | None:
    """IMD decile (1 = most deprived) to quintile: 1-2 -> 1, ..., 9-10 -> 5; None stays None."""
    if decile is None:
        return None
    if not 1 <= decile <= 10:
        raise InequalityError(f"IMD decile must be 1 to 10, got {decile}")
    return (decile + 1) // 2


def age_band(age: int | None, edges: Sequence[int] = DEFAULT_AGE_EDGES) -> str:
    """The label of the band holding `age`: "0–17", "18–39", ..., "80 and over", or Unknown."""
    if age is None:
        return UNKNOWN
    if age < 0:
        raise InequalityError(f"age must be 0 or more, got {age}")
    if list(edges) != sorted(set(edges)) or (edges and edges[0] <= 0):
        raise InequalityError(f"age band edges must rise and start above 0, got {list(edges)}")
    low = 0
    for edge in edges:
        if age < edge:
            return f"{low}–{edge - 1}"
        low = edge
    return f"{low} and over"


def age_bands(edges: Sequence[int] = DEFAULT_AGE_EDGES) -> tuple[str, ...]:
    """Every band label for these edges, youngest first (for ordering rows and charts)."""
    lows = (0, *edges)
    return tuple(age_band(low, edges) for low in lows)


def ethnicity_group(value: str | None) -> str:
    """The Census 2021 high-level group, with anything missing or unrecognised as Unknown."""
    return value if value in ETHNICITIES else UNKNOWN


def group_order(
    dimension: str, age_edges: Sequence[int] = DEFAULT_AGE_EDGES
) -> tuple[object, ...]:
    """The display order of a dimension's groups (Unknown last), for rows and charts."""
    if dimension == "imd_quintile":
        return (1, 2, 3, 4, 5, UNKNOWN)
    if dimension == "ethnicity":
        return ETHNICITIES
    if dimension == "sex":
        return (*SEXES, UNKNOWN)
    if dimension == "age_band":
        return (*age_bands(age_edges), UNKNOWN)
    raise InequalityError(f"unknown dimension {dimension!r}; expected one of {DIMENSIONS}")


# --- confidence intervals -----------------------------------------------------------------


def wilson_interval(
    successes: float, trials: float, confidence: float = 0.95
) -> tuple[float, float]:
    """Wilson score interval for a proportion successes / trials.

    Preferred to the normal ("Wald") interval because it stays inside [0, 1] and behaves at 0 and
    at small denominators, which is exactly where small practices and groups are.
    """
    if trials <= 0:
        raise InequalityError(f"a proportion needs trials > 0, got {trials}")
    if not 0 <= successes <= trials:
        raise InequalityError(f"successes must be between 0 and trials, got {successes}/{trials}")
    if not 0 < confidence < 1:
        raise InequalityError(f"confidence must be between 0 and 1, got {confidence}")
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    p = successes / trials
    z2n = z * z / trials
    centre = (p + z2n / 2) / (1 + z2n)
    half = z * math.sqrt(p * (1 - p) / trials + z2n / (4 * trials)) / (1 + z2n)
    # At 0 (or all) successes the bound is exactly 0 (or 1) by the formula (centre == half);
    # say so rather than keep the floating-point residue (2.8e-17 for 0/5).
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return low, high


# --- breakdowns ---------------------------------------------------------------------------


def with_intervals(
    rows: Iterable[Mapping[str, object]],
    *,
    numerator: str = "numerator",
    denominator: str = "denominator",
    confidence: float = 0.95,
) -> list[dict[str, object]]:
    """Rows with `rate`, `ci_low`, `ci_high` recomputed from their own numerator and denominator.

    For published tables: after disclosure control the counts are rounded or empty, and an
    interval from the exact counts would give them back (a Wilson interval can be inverted), so
    intervals are recomputed from what is published; an empty count leaves all three empty.
    """
    out = []
    for index, row in enumerate(rows):
        new = dict(row)
        num, den = row.get(numerator), row.get(denominator)
        new["rate"] = new["ci_low"] = new["ci_high"] = None
        if num is not None and den is not None:
            if not isinstance(num, int | float) or not isinstance(den, int | float):
                raise InequalityError(f"row {index + 1}: {numerator}/{denominator} not numbers")
            if den > 0:
                new["rate"] = num / den
                if 0 <= num <= den:
                    new["ci_low"], new["ci_high"] = wilson_interval(num, den, confidence)
        out.append(new)
    return out


# --- breakdown counts from the practice table -------------------------------------------


def national_quintile(score: float, national: Sequence[float]) -> int:
    """A practice's deprivation quintile: its IMD score placed among England's practices' scores.

    1 is the most deprived fifth of practices (the highest scores), 5 the least. With n national
    scores of which k are strictly higher than `score`, the quintile is 1 + floor(5k / n) (at
    most 5), so a practice in the national list gets its own rank's fifth and any other score
    (an imported file of another vintage) is placed against the same national distribution.
    This is the one definition of the practice quintile for every kind of store
    (docs/inequalities.md says why).
    """
    return _placed(score, sorted(national))


def national_quintiles(
    scores: Mapping[str, float], national: Sequence[float]
) -> dict[str, int]:
    """`national_quintile` of every practice in `scores` (code -> score), England's scores
    sorted once (sorting them for each of England's 6,720 practices took seconds)."""
    ordered = sorted(national)
    return {code: _placed(score, ordered) for code, score in scores.items()}


def _placed(score: float, ordered: Sequence[float]) -> int:
    if not ordered:
        raise InequalityError("national_quintile needs the national practice scores")
    higher = len(ordered) - bisect.bisect_right(ordered, score)
    return min(5, 1 + (5 * higher) // len(ordered))


def quintile_from_mean_decile(mean_decile: float) -> int:
    """The fallback practice quintile for a practice England's table does not list: the mean
    national IMD decile of its registered patients (every registration counts once, so the
    mean is registration-weighted) read as the fifth it implies.

    Decile d covers the d-th tenth of England's areas, so a mean m sits at (m - 0.5) tenths and
    the quintile is 1 + floor((m - 0.5) / 2), at most 5: means up to 2.5 (exclusive) give 1,
    2.5 to 4.5 give 2, ..., 8.5 and over give 5 (the same as rounding m to the nearest decile,
    halves up, and pairing deciles 1-2, 3-4, ...). An estimate: averaging deciles pulls
    practices towards the middle fifths (docs/inequalities.md).
    """
    if not 1 <= mean_decile <= 10:
        raise InequalityError(f"a mean IMD decile lies in 1 to 10, got {mean_decile}")
    return min(5, 1 + math.floor((mean_decile - 0.5) / 2))


PRACTICE_DEPRIVATION = "practice_imd_quintile"
"""The dimension for the practice's own IMD quintile (the only one aggregate stores have)."""


def practice_deprivation_counts(
    counts: Iterable[PracticeCounts], *, level: str = "footprint"
) -> list[dict[str, object]]:
    """The breakdown by the practice's IMD quintile, from practice measure rows.

    For stores of published aggregates (QOF, CVDPREVENT), which have no patients: each
    practice's patients take its quintile (Unknown when it has none). Same row shape as the
    engine's `breakdown_counts`, with dimension `practice_imd_quintile`. Only groups with at
    least one practice are listed: practices' quintiles are published (practices.csv), so an
    empty group is a zero every reader can predict, and one chosen as the second suppressed
    cell of its dimension would protect nothing. As in the practice roll-ups, eligible and
    treated are summed over practices where both are known and exceptions over practices
    where it is known (None when no practice in the group knows).
    """
    acc: dict[tuple[str | None, object], list[PracticeCounts]] = {}
    meta: dict[str, object] = {}
    for row in counts:
        meta.setdefault("period_end", row.period_end)
        meta.setdefault("programme", row.programme)
        if meta["period_end"] != row.period_end or meta["programme"] != row.programme:
            raise InequalityError(
                f"practice {row.practice_code}: rows mix periods or programmes "
                f"({row.period_end} {row.programme} vs {meta['period_end']} {meta['programme']})"
            )
        group: object = UNKNOWN if row.imd_quintile is None else row.imd_quintile
        acc.setdefault((_level_code(row, level), group), []).append(row)
    codes = sorted({code for code, _ in acc}, key=lambda c: (c is None, c or ""))
    out: list[dict[str, object]] = []
    for code in codes:
        for group in (1, 2, 3, 4, 5, UNKNOWN):
            members = acc.get((code, group), [])
            if not members:
                continue  # a predictable zero: see the docstring
            known = [r for r in members if r.eligible is not None and r.treated is not None]
            exceptions = [r.exceptions for r in members if r.exceptions is not None]
            out.append(
                {
                    "period_end": meta["period_end"],
                    "programme": meta["programme"],
                    "level": level,
                    "org_code": code,
                    "dimension": PRACTICE_DEPRIVATION,
                    "group": group,
                    "list_size": sum(r.list_size for r in members),
                    "expected": math.fsum(r.expected for r in members),
                    "recorded": sum(r.recorded for r in members),
                    "eligible": sum(r.eligible or 0 for r in known) if known else None,
                    "treated": sum(r.treated or 0 for r in known) if known else None,
                    "exceptions": sum(exceptions) if exceptions else None,
                }
            )
    return out


def _level_code(row: PracticeCounts, level: str) -> str | None:
    if level == "footprint":
        return None
    if level == "practice":
        return row.practice_code
    if level in ("ics", "place", "sub_icb", "pcn"):
        value: str | None = getattr(row, f"{level}_code")
        return value
    raise InequalityError(f"unknown breakdown level {level!r}")


# --- the deprivation gradient -------------------------------------------------------------


@dataclass(frozen=True)
class DeprivationGap:
    """Most vs least deprived quintile, and the slope and relative index across all five."""

    most_deprived_rate: float
    least_deprived_rate: float
    absolute_gap: float
    """least − most deprived rate."""
    relative_gap: float | None
    """least ÷ most deprived rate (None when the most deprived rate is 0)."""
    sii: float
    """Slope index of inequality: fitted least-deprived end − most-deprived end."""
    rii: float | None
    """Relative index of inequality: SII ÷ the population-weighted mean rate."""


def slope_index(groups: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """(SII, weighted mean rate) for groups ordered most -> least deprived as (population, rate).

    Weighted least squares of each group's rate on its ridit, the midpoint of the group's share
    of the cumulative population (x from 0, most deprived, to 1, least deprived), each group
    weighted by its population. The SII is the slope: the modelled rate at x = 1 minus x = 0.
    """
    total = math.fsum(p for p, _ in groups)
    if len(groups) < 2 or total <= 0:
        raise InequalityError("the slope index needs at least two groups with population")
    if any(p < 0 for p, _ in groups):
        raise InequalityError("group populations must be 0 or more")
    xs: list[float] = []
    cumulative = 0.0
    for population, _ in groups:
        xs.append((cumulative + population / 2) / total)
        cumulative += population
    weights = [p for p, _ in groups]
    ys = [r for _, r in groups]
    x_mean = math.fsum(w * x for w, x in zip(weights, xs, strict=True)) / total
    y_mean = math.fsum(w * y for w, y in zip(weights, ys, strict=True)) / total
    sxx = math.fsum(w * (x - x_mean) ** 2 for w, x in zip(weights, xs, strict=True))
    sxy = math.fsum(
        w * (x - x_mean) * (y - y_mean) for w, x, y in zip(weights, xs, ys, strict=True)
    )
    if sxx <= 0:
        raise InequalityError("the slope index needs population in at least two groups")
    return sxy / sxx, y_mean


def deprivation_gap(counts: Mapping[int, tuple[float, float]]) -> DeprivationGap:
    """Gaps, SII and RII from {IMD quintile: (numerator, denominator)} for quintiles 1 to 5.

    The SII weights each quintile by its denominator (the people the rate is about). Other keys
    (an Unknown group) are ignored here: they belong in the breakdown, not on the gradient.
    """
    missing = [q for q in (1, 2, 3, 4, 5) if q not in counts or counts[q][1] <= 0]
    if missing:
        raise InequalityError(f"deprivation gap needs a denominator in every quintile; {missing}")
    rates = {q: counts[q][0] / counts[q][1] for q in (1, 2, 3, 4, 5)}
    sii, mean = slope_index([(counts[q][1], rates[q]) for q in (1, 2, 3, 4, 5)])
    most, least = rates[1], rates[5]
    return DeprivationGap(
        most_deprived_rate=most,
        least_deprived_rate=least,
        absolute_gap=least - most,
        relative_gap=least / most if most else None,
        sii=sii,
        rii=sii / mean if mean else None,
    )
