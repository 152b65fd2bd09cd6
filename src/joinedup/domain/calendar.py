"""Whole months before a date: the one piece of calendar arithmetic the rules and periods share.

Why a module of its own: a programme's look-back window ("an anticoagulant issued in the last 6
months") and a series of period ends ("every quarter back from 31 March") both step back whole
months, and both must clamp to the month's end the same way (31 August less 6 months is 28 or 29
February), so the arithmetic is written once.
"""

from __future__ import annotations

import calendar
from datetime import date


def months_before(day: date, months: int, *, month_end: bool = False) -> date:
    """The same day of the month `months` earlier, clamped to the month's end (31 Aug - 6 = 28 Feb).

    With `month_end`, the last day of that month instead (period ends that fall on month ends
    stay on month ends: 30 September, 31 December, 31 March).

    Windows are half-open: an event counts as "within N months" of the reference date when
    `months_before(date, N) < event date <= date`, i.e. the N whole months up to and including the
    reference date (QOF's "in the 6 months up to and including the end date").
    """
    if months < 0:
        raise ValueError("months must be >= 0")
    index = day.year * 12 + (day.month - 1) - months
    year, month0 = divmod(index, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, last if month_end else min(day.day, last))


def is_month_end(day: date) -> bool:
    """Whether `day` is the last day of its month."""
    return day.day == calendar.monthrange(day.year, day.month)[1]
