"""How fast a footprint rate moves, and when it reaches its ambition at that pace.

Why: a board asks not only "where are we" but "will we get there by 2029"; a least-squares slope
through the period rates answers, and says plainly when there are too few periods to judge.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from joinedup.domain.ambitions import Ambition


@dataclass(frozen=True)
class Pace:
    """How a footprint rate moved over the series, and when it reaches the ambition at that pace.

    `per_year` is the least-squares slope (rate points a year); `reaches_ambition` is the date
    the straight line crosses the ambition, None when it is already reached or the line does not
    rise; `reached` says whether the last period meets the ambition.
    """

    first: float | None
    last: float | None
    change: float | None
    per_year: float | None
    ambition: float | None
    reached: bool | None
    reaches_ambition: date | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "first": self.first,
            "last": self.last,
            "change": self.change,
            "per_year": self.per_year,
            "ambition": self.ambition,
            "reached": self.reached,
            "reaches_ambition": (
                self.reaches_ambition.isoformat() if self.reaches_ambition else None
            ),
        }


def ambition_lines(ambition: Ambition) -> dict[str, float]:
    """The ambition each trend series is judged against (the combined one: managed share)."""
    if ambition.combined is not None:
        return {"managed_share": ambition.combined}
    assert ambition.detect is not None and ambition.treat is not None
    return {"detection_rate": ambition.detect, "treatment_rate": ambition.treat}


def paces(
    ends: Sequence[date], series: Mapping[str, Sequence[float | None]], ambition: Ambition
) -> dict[str, Pace]:
    """`pace` for each trend series against its ambition line."""
    targets = ambition_lines(ambition)
    return {name: pace(ends, values, targets.get(name)) for name, values in series.items()}


def pace(ends: Sequence[date], values: Sequence[float | None], ambition: float | None) -> Pace:
    """Change, least-squares slope a year and the date the line reaches `ambition`.

    Periods with no value are left out. With fewer than two values there is no slope.
    """
    known = [(d, v) for d, v in zip(ends, values, strict=True) if v is not None]
    if not known:
        return Pace(None, None, None, None, ambition, None, None)
    first, last = known[0][1], known[-1][1]
    reached = None if ambition is None else last >= ambition - 1e-12
    if len(known) < 2:
        return Pace(first, last, None, None, ambition, reached, None)
    origin = known[-1][0]
    xs = [(d - origin).days / 365.25 for d, _ in known]
    ys = [v for _, v in known]
    mean_x, mean_y = math.fsum(xs) / len(xs), math.fsum(ys) / len(ys)
    spread = math.fsum((x - mean_x) ** 2 for x in xs)
    slope = math.fsum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread
    when = None
    if ambition is not None and not reached and slope > 0:
        intercept = mean_y - slope * mean_x  # the fitted rate at the last period end
        years = (ambition - intercept) / slope
        if years <= 100:
            when = date.fromordinal(origin.toordinal() + max(0, math.ceil(years * 365.25)))
    return Pace(first, last, last - first, slope, ambition, reached, when)
