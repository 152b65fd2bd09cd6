"""Period ends for a progress series: the last date and every month or quarter before it.

Why: the partnership's board tracks progress every quarter, analysts every month. Periods end on
the last date (default: the store's latest dated record) and every month or quarter before it,
back to the first date (or for a number of periods: by default the last eight quarters, or the
last 24 months). A step keeps the day of the month, clamped to the month's end, and a last date
at a month's end steps to month ends (31 March, 31 December, 30 September ...).
"""

from __future__ import annotations

from datetime import date

from joinedup.domain.calendar import is_month_end, months_before
from joinedup.domain.errors import UserError

STEP_MONTHS: dict[str, int] = {"month": 1, "quarter": 3}
DEFAULT_PERIODS: dict[str, int] = {"quarter": 8, "month": 24}
MAX_PERIODS = 240


class ProgressError(UserError):
    """A problem with a progress request (dates, periods, store), named for the user."""


def period_ends(
    last: date, every: str = "quarter", *, first: date | None = None, count: int | None = None
) -> list[date]:
    """Period ends, oldest first: `last` and every month or quarter before it.

    Back to `first` (inclusive) when given, else `count` periods (default eight quarters or 24
    months). With both, the later of the two limits applies.
    """
    if every not in STEP_MONTHS:
        raise ProgressError(f"every must be one of {', '.join(STEP_MONTHS)}, got {every!r}")
    if count is not None and count < 1:
        raise ProgressError(f"the number of periods must be 1 or more, got {count}")
    if first is not None and first > last:
        raise ProgressError(f"the first date {first} is after the last date {last}")
    if count is None and first is None:
        count = DEFAULT_PERIODS[every]
    month_ends = is_month_end(last)
    ends: list[date] = []
    step = 0
    while True:
        day = months_before(last, step * STEP_MONTHS[every], month_end=month_ends)
        if (first is not None and day < first) or (count is not None and len(ends) >= count):
            break
        ends.append(day)
        step += 1
        if len(ends) > MAX_PERIODS:
            raise ProgressError(f"more than {MAX_PERIODS} periods asked for; choose a later first "
                                "date or quarters")
    return ends[::-1]
