"""Day numbers and whole-year ages, against the standard library on hand-picked days."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from joinedup.sources.synthetic.dates import civil, from_days, to_days, whole_years


def test_civil_matches_the_calendar() -> None:
    days = [date(1900, 3, 1), date(1970, 1, 1), date(2000, 2, 29), date(2026, 3, 31)]
    year, month, day = civil(np.array([to_days(d) for d in days]))
    assert list(zip(year, month, day, strict=True)) == [(d.year, d.month, d.day) for d in days]
    assert from_days(to_days(date(2024, 12, 31))) == date(2024, 12, 31)


def test_civil_agrees_with_datetime_over_a_long_range() -> None:
    start = date(1880, 1, 1)
    numbers = np.arange(to_days(start), to_days(start) + 60_000, 7)
    year, month, day = civil(numbers)
    for n, y, m, d in zip(numbers[::97], year[::97], month[::97], day[::97], strict=True):
        expected = date(1970, 1, 1) + timedelta(days=int(n))
        assert (y, m, d) == (expected.year, expected.month, expected.day)


def test_age_goes_up_on_the_birthday() -> None:
    birth = np.array([to_days(date(1990, 3, 31)), to_days(date(1990, 4, 1))] * 2)
    at = np.array([to_days(date(2026, 3, 31))] * 2 + [to_days(date(2026, 3, 30))] * 2)
    assert whole_years(birth, at).tolist() == [36, 35, 35, 35]


def test_leap_day_birthday_counts_from_first_march_in_common_years() -> None:
    birth = np.array([to_days(date(2000, 2, 29))] * 2)
    at = np.array([to_days(date(2026, 2, 28)), to_days(date(2026, 3, 1))])
    assert whole_years(birth, at).tolist() == [25, 26]
