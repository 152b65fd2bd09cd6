"""Progress over time: period ends, pace, the long table, improvers and publication, by hand."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from joinedup.domain.ambitions import Ambition
from joinedup.domain.disclosure import PublicationPolicy
from joinedup.domain.measures import PracticeCounts
from joinedup.domain.progress import (
    COUNT_COLUMNS,
    Period,
    ProgressError,
    ProgressSeries,
    footprint_totals,
    improvers,
    pace,
    period_ends,
    trend,
)
from joinedup.domain.publication import publish_progress
from joinedup.domain.targeting import plan
from joinedup.outputs.charts import trend_lines

# --- period ends ------------------------------------------------------------------------------


def test_default_is_eight_quarter_ends_back_from_a_month_end() -> None:
    assert period_ends(date(2026, 3, 31)) == [
        date(2024, 6, 30), date(2024, 9, 30), date(2024, 12, 31), date(2025, 3, 31),
        date(2025, 6, 30), date(2025, 9, 30), date(2025, 12, 31), date(2026, 3, 31),
    ]


def test_months_keep_the_day_clamped_to_the_month_end() -> None:
    # 30 March is not a month end: the day is kept, and clamped in February (leap year 2024).
    assert period_ends(date(2024, 3, 30), "month", count=3) == [
        date(2024, 1, 30), date(2024, 2, 29), date(2024, 3, 30),
    ]
    # 29 February 2024 is a month end, so the steps are month ends.
    assert period_ends(date(2024, 2, 29), "month", count=3) == [
        date(2023, 12, 31), date(2024, 1, 31), date(2024, 2, 29),
    ]
    assert len(period_ends(date(2026, 3, 31), "month")) == 24


def test_first_date_is_inclusive_and_the_later_limit_wins() -> None:
    assert period_ends(date(2026, 3, 31), first=date(2025, 9, 30)) == [
        date(2025, 9, 30), date(2025, 12, 31), date(2026, 3, 31),
    ]
    assert period_ends(date(2026, 3, 31), first=date(2025, 10, 1)) == [
        date(2025, 12, 31), date(2026, 3, 31),
    ]
    assert period_ends(date(2026, 3, 31), first=date(2020, 1, 1), count=2) == [
        date(2025, 12, 31), date(2026, 3, 31),
    ]
    assert period_ends(date(2026, 3, 31), first=date(2026, 3, 31)) == [date(2026, 3, 31)]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"every": "week"}, "every must be one of month, quarter"),
        ({"count": 0}, "1 or more"),
        ({"first": date(2026, 4, 1)}, "after the last date"),
        ({"every": "month", "first": date(1990, 1, 1)}, "more than 240 periods"),
    ],
)
def test_bad_period_requests_are_named(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ProgressError, match=message):
        period_ends(date(2026, 3, 31), **kwargs)


# --- pace ---------------------------------------------------------------------------------------

YEARS = [date(2024, 3, 31), date(2025, 3, 31), date(2026, 3, 31)]


def test_pace_is_the_least_squares_slope_and_the_date_it_meets_the_ambition() -> None:
    # 0.70, 0.72, 0.74 a year apart (366 and 365 days): slope 0.02 a year within rounding; the
    # fitted line at the last date is 0.74, so 0.80 is 3 years (1,096 days) on.
    result = pace(YEARS, [0.70, 0.72, 0.74], 0.80)
    assert result.change == pytest.approx(0.04)
    assert result.per_year == pytest.approx(0.02, rel=0.002)
    assert result.reached is False
    assert result.reaches_ambition is not None
    assert abs((result.reaches_ambition - date(2029, 3, 31)).days) <= 3


def test_pace_reached_falling_missing_and_single_values() -> None:
    assert pace(YEARS, [0.80, 0.88, 0.91], 0.90).reached is True
    assert pace(YEARS, [0.80, 0.88, 0.91], 0.90).reaches_ambition is None
    falling = pace(YEARS, [0.80, 0.79, 0.78], 0.90)
    assert falling.per_year is not None and falling.per_year < 0
    assert falling.reaches_ambition is None and falling.reached is False
    gap = pace(YEARS, [0.70, None, 0.74], None)
    assert gap.change == pytest.approx(0.04) and gap.per_year == pytest.approx(0.02, rel=0.002)
    single = pace(YEARS, [None, None, 0.74], 0.8)
    assert (single.change, single.per_year, single.reached) == (None, None, False)
    assert pace(YEARS, [None, None, None], 0.8).first is None


# --- the long table ---------------------------------------------------------------------------


def _counts(
    day: date, code: str, pcn: str, expected: float, recorded: int, eligible: int, treated: int
) -> PracticeCounts:
    return PracticeCounts(
        period_end=day, programme="af", practice_code=code, practice_name=f"Practice {code}",
        pcn_code=pcn, place_code="PL1", sub_icb_code="SUB1", ics_code="ICS1",
        list_size=100 * int(expected), expected=expected, recorded=recorded, eligible=eligible,
        treated=treated, exceptions=0,
    )


FIRST, LAST = date(2025, 9, 30), date(2026, 3, 31)
# (practice, pcn, expected, recorded, eligible, treated) at the first and last period ends.
TABLE = {
    FIRST: [("P1", "PCN1", 40.0, 20, 16, 10), ("P2", "PCN1", 10.0, 9, 8, 8),
            ("P3", "PCN2", 20.0, 10, 8, 4)],
    LAST: [("P1", "PCN1", 42.0, 30, 25, 22), ("P2", "PCN1", 10.0, 9, 8, 7),
           ("P3", "PCN2", 20.0, 12, 10, 6)],
}
NAMES = {"ICS1": "Test ICS", "PL1": "Place", "SUB1": "Sub-ICB", "PCN1": "PCN one",
         "PCN2": "PCN two"}


def _series(ambition: Ambition | None = None) -> ProgressSeries:
    ambition = ambition or Ambition(detect=0.85, treat=0.90)
    periods = tuple(
        Period(day, plan([_counts(day, *row) for row in rows], ambition))
        for day, rows in TABLE.items()
    )
    return ProgressSeries(programme="af", title="Atrial fibrillation", ambition=ambition,
                          periods=periods, names=NAMES, parameters="af test",
                          eligible_share=0.8)


def test_rows_hold_every_level_and_practices_sum_to_each_level() -> None:
    rows = _series().rows()
    levels = [(r["period_end"], r["level"], r["code"]) for r in rows]
    assert levels[:7] == [
        (FIRST, "ics", "ICS1"), (FIRST, "place", "PL1"), (FIRST, "sub_icb", "SUB1"),
        (FIRST, "pcn", "PCN1"), (FIRST, "pcn", "PCN2"),
        (FIRST, "practice", "P1"), (FIRST, "practice", "P2"),
    ]
    assert len(rows) == 2 * 8
    for day in TABLE:
        practices = [r for r in rows if r["period_end"] == day and r["level"] == "practice"]
        for level in ("ics", "place", "sub_icb", "pcn"):
            for row in (r for r in rows if r["period_end"] == day and r["level"] == level):
                below = [p for p in practices if p[f"{level}_code"] == row["code"]]
                for column in COUNT_COLUMNS:
                    assert row[column] == pytest.approx(sum(p[column] for p in below)), (
                        day, level, column)
    ics_last = next(r for r in rows if r["period_end"] == LAST and r["level"] == "ics")
    # Hand: recorded 51 of 72 expected; treated 35 of 43 eligible; to_find ceil(0.85 * e - r):
    # P1 ceil(35.7 - 30) = 6, P2 ceil(8.5 - 9) -> 0, P3 ceil(17 - 12) = 5; to_treat
    # ceil(0.9 * eligible - treated): P1 ceil(22.5 - 22) = 1, P2 ceil(7.2 - 7) = 1, P3 3.
    assert (ics_last["recorded"], ics_last["expected"]) == (51, 72.0)
    assert ics_last["detection_rate"] == pytest.approx(51 / 72)
    assert ics_last["treatment_rate"] == pytest.approx(35 / 43)
    assert (ics_last["to_find"], ics_last["to_treat"]) == (11, 5)
    assert ics_last["name"] == "Test ICS" and ics_last["practices"] == 3
    pcn2 = next(r for r in rows if r["level"] == "pcn" and r["code"] == "PCN2")
    assert (pcn2["ics_code"], pcn2["place_code"], pcn2["sub_icb_code"]) == ("ICS1", "PL1", "SUB1")


def test_footprint_trend_and_combined_managed_share() -> None:
    series = _series()
    totals = footprint_totals(series.rows())
    assert [t["recorded"] for t in totals] == [39, 51]
    values = series.trend()
    assert values["detection_rate"] == pytest.approx([39 / 70, 51 / 72])
    assert values["treatment_rate"] == pytest.approx([22 / 32, 35 / 43])
    assert "managed_share" not in values
    combined = trend(totals, Ambition.identified_and_managed(0.89), eligible_share=0.8)
    # managed share = treated / (expected * 0.8)
    assert combined["managed_share"] == pytest.approx([22 / 56, 35 / 57.6])
    assert series.ambitions() == {"detection_rate": 0.85, "treatment_rate": 0.90}


def test_improvers_rank_by_patients_gained_at_todays_list() -> None:
    ranked = _series().improvers()
    assert [r.practice_code for r in ranked] == ["P1", "P3", "P2"]
    p1, p3, p2 = ranked
    # P1: detection 20/40 -> 30/42: change 30/42 - 0.5, times 42 expected now = 9 found;
    # treatment 10/16 -> 22/25: change, times 25 eligible now = 22 - 15.625 = 6.375.
    assert p1.found_by_improvement == pytest.approx(30 - 0.5 * 42)
    assert p1.treated_by_improvement == pytest.approx(22 - 10 / 16 * 25)
    assert p1.patients_gained == pytest.approx(9 + 6.375)
    assert (p1.recorded_gain, p1.treated_gain, p1.rank) == (10, 12, 1)
    # P1 gap: to_find 14 -> 6 (ceil(34 - 20), ceil(35.7 - 30)); to_treat 5 -> 1.
    assert (p1.to_find_first, p1.to_find_last, p1.gap_closed) == (14, 6, 12)
    # P3: detection 0.5 -> 0.6 (x 20 = 2); treatment 0.5 -> 0.6 (x 10 = 1).
    assert p3.patients_gained == pytest.approx(3.0)
    # P2 got worse: treatment 8/8 -> 7/8.
    assert p2.patients_gained == pytest.approx(-1.0)
    assert p2.detection_change == pytest.approx(0.0)
    assert p2.as_dict()["first_period"] == "2025-09-30"


def test_improvers_cope_with_suppressed_counts() -> None:
    rows = _series().rows()
    for row in rows:
        if row["code"] == "P3":
            row.update(treated=None, treatment_rate=None, to_treat=None)
    p3 = next(r for r in improvers(rows) if r.practice_code == "P3")
    assert p3.treated_gain is None and p3.treatment_change is None
    assert p3.patients_gained == pytest.approx(2.0)  # detection's share only
    # An unknown part of the gap counts as 0: to_find ceil(17 - 10) = 7 -> ceil(17 - 12) = 5.
    assert p3.gap_closed == 2


# --- publication ------------------------------------------------------------------------------


def test_published_rows_suppress_small_counts_and_protect_siblings() -> None:
    rows = _series().rows()
    published = publish_progress(rows, PublicationPolicy())
    by_key = {(r["period_end"], r["level"], r["code"]): r for r in published}
    p2 = by_key[(LAST, "practice", "P2")]
    # P2 treated 7 is small: suppressed, and so is its rate and its gap to treat.
    assert p2["treated"] is None and p2["treatment_rate"] is None and p2["to_treat"] is None
    # It is the only small treated count in PCN1, so a sibling (P1, 22) is suppressed too.
    assert by_key[(LAST, "practice", "P1")]["treated"] is None
    # Counts above the threshold are rounded to 5; rates come from the published counts.
    p1 = by_key[(LAST, "practice", "P1")]
    assert p1["recorded"] == 30 and p1["eligible"] == 25
    ics = by_key[(LAST, "ics", "ICS1")]
    assert ics["recorded"] == 50 and ics["expected"] == 72
    assert ics["detection_rate"] == pytest.approx(50 / 72)
    # The exact rows are untouched.
    assert next(r for r in rows if r["code"] == "P2" and r["period_end"] == LAST)["treated"] == 7


def test_trend_lines_draws_svg_and_checks_lengths() -> None:
    svg = trend_lines(["2025-09-30", "2026-03-31"], {"detection_rate": [0.5, None]},
                      {"detection_rate": 0.85}, "Progress")
    assert svg.startswith("<svg") and "Progress" in svg
    with pytest.raises(ValueError, match="has 1 values for 2 periods"):
        trend_lines(["a", "b"], {"x": [0.1]}, 0.5, "t")
