"""Progress over time, as pure rules: period ends, the series of plans, pace and improvers.

Why a package: each is one idea — `periods` (which dates), `series` (plans at those dates as
rows and footprint totals), `pace` (how fast, and when the ambition is reached), `improvers`
(which practices moved most). The use case that measures a store at each period end is
`joinedup.app.progress`.
"""

from joinedup.domain.progress.improvers import Improvement, improvers
from joinedup.domain.progress.pace import Pace, ambition_lines, pace, paces
from joinedup.domain.progress.periods import (
    DEFAULT_PERIODS,
    MAX_PERIODS,
    STEP_MONTHS,
    ProgressError,
    period_ends,
)
from joinedup.domain.progress.series import (
    COUNT_COLUMNS,
    ROW_LEVELS,
    Period,
    ProgressSeries,
    footprint_totals,
    trend,
)

__all__ = [
    "COUNT_COLUMNS",
    "DEFAULT_PERIODS",
    "MAX_PERIODS",
    "ROW_LEVELS",
    "STEP_MONTHS",
    "Improvement",
    "Pace",
    "Period",
    "ProgressError",
    "ProgressSeries",
    "ambition_lines",
    "footprint_totals",
    "improvers",
    "pace",
    "paces",
    "period_ends",
    "trend",
]
