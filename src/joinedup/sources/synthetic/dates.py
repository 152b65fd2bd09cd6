"""Dates as whole days since 1970-01-01 (int64), the generator's internal calendar.

Why: integer days vectorise; they convert to Arrow ``date32`` and ``timestamp`` without a copy
through Python objects. Ages are whole years with the birthday rule (age goes up on the day).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
DAYS_PER_YEAR = 365.2425
EPOCH = date(1970, 1, 1)
NONE = np.iinfo(np.int64).min  # "no date" in an int64 day column


def to_days(day: date) -> int:
    return (day - EPOCH).days


def from_days(days: int) -> date:
    return date.fromordinal(EPOCH.toordinal() + int(days))


def civil(days: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """(year, month 1-12, day 1-31) of each day number, by integer arithmetic.

    The days-to-civil algorithm for the proleptic Gregorian calendar (eras of 400 years); much
    faster than converting through numpy's datetime64 units.
    """
    z = np.asarray(days, dtype=np.int64) + 719468
    era = np.floor_divide(z, 146097)
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = np.where(mp < 10, mp + 3, mp - 9)
    year = yoe + era * 400 + (month <= 2)
    return year, month, day


def whole_years(birth: IntArray, at: IntArray) -> IntArray:
    """Age in whole years on day `at` of people born on day `birth` (vectorised)."""
    by, bm, bd = civil(birth)
    ay, am, ad = civil(at)
    before_birthday = (am < bm) | ((am == bm) & (ad < bd))
    return (ay - by - before_birthday).astype(np.int64)


def years(n: float) -> int:
    """Whole days in `n` years."""
    return round(n * DAYS_PER_YEAR)
