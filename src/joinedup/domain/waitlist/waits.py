"""How waits are counted and summarised, as NHS referral-to-treatment statistics count them.

Why here: the simulation's tables, the calibration against published RTT wait bands and the
report must count "over 52 weeks" and the 92nd percentile the same way.

* A wait is whole days from clock start; "over N weeks" means more than 7 × N days, as the RTT
  bands ">52" and "52 plus" put a wait of exactly 52 weeks in the band below.
* Percentiles are nearest-rank: the p-th percentile of n sorted waits is the ceil(p × n)-th
  smallest, the wait within which at least p of the list have waited (the 18-week standard is
  read as "92% within 18 weeks").
"""

from __future__ import annotations

import math

THRESHOLD_WEEKS = (18, 52, 65, 78)
"""The long-wait thresholds reported everywhere (NHS England elective recovery milestones)."""


def over_weeks(days_waited: int, weeks: int) -> bool:
    return days_waited > 7 * weeks


def nearest_rank_index(n: int, p: float) -> int:
    """Zero-based index of the p-th percentile (0 < p ≤ 1) in n sorted values (n ≥ 1)."""
    if n < 1:
        raise ValueError("no values")
    if not 0 < p <= 1:
        raise ValueError("p must be in (0, 1]")
    return max(0, math.ceil(round(p * n, 9)) - 1)


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of values already sorted ascending."""
    return sorted_values[nearest_rank_index(len(sorted_values), p)]
