"""Progress against an ambition, worked by hand (domain/partnership/progress.py)."""

from __future__ import annotations

from datetime import date

import pytest

from joinedup.domain.partnership import (
    FOOTPRINT,
    Direction,
    PlanAmbition,
    Reading,
    Status,
    Target,
    TripleAim,
    ambition_progress,
    area_progress,
    status_counts,
)

START, HALF, END = date(2025, 1, 1), date(2026, 1, 1), date(2027, 1, 1)
# 365 days to HALF, 730 to END: at HALF half the time has gone (expected share 0.5).


def reading(day: date, value: float, area: str = FOOTPRINT) -> Reading:
    return Reading(measure="m", area=area, period_end=day, value=value)


def test_a_fall_half_way_at_half_time_is_on_track() -> None:
    # 16 → target −25% = 12; now 14: (14 − 16) / (12 − 16) = 0.5 of the way at half time.
    target = Target(areas=(FOOTPRINT,), by=END, change=-0.25)
    got = area_progress(target, FOOTPRINT, Direction.DECREASE, reading(START, 16.0),
                        reading(HALF, 14.0))
    assert got.target == 12.0
    assert got.share_of_way == 0.5
    assert got.expected_share == 0.5
    assert got.status is Status.ON_TRACK
    assert got.gap == -2.0


def test_just_short_of_pace_is_behind() -> None:
    # Increase 50 → 70 (a level); at half time 59.9: (59.9 − 50) / 20 = 0.495 < 0.5.
    target = Target(areas=(FOOTPRINT,), by=END, value=70)
    got = area_progress(target, FOOTPRINT, Direction.INCREASE, reading(START, 50),
                        reading(HALF, 59.9))
    assert got.share_of_way == pytest.approx(0.495)
    assert got.status is Status.BEHIND


def test_reaching_the_level_is_achieved_whatever_the_pace() -> None:
    target = Target(areas=(FOOTPRINT,), by=END, value=0.85)
    got = area_progress(target, FOOTPRINT, Direction.INCREASE, reading(START, 0.70),
                        reading(HALF, 0.85))
    assert got.status is Status.ACHIEVED
    assert got.share_of_way == pytest.approx(1.0)
    below = area_progress(target, FOOTPRINT, Direction.DECREASE, reading(START, 0.95),
                          reading(HALF, 0.85))
    assert below.status is Status.ACHIEVED  # a fall to the level, for a "decrease" ambition


def test_moving_the_wrong_way_is_behind_with_a_negative_share() -> None:
    target = Target(areas=(FOOTPRINT,), by=END, change=-0.10)
    got = area_progress(target, FOOTPRINT, Direction.DECREASE, reading(START, 10.0),
                        reading(HALF, 11.0))
    assert got.share_of_way == pytest.approx(-1.0)  # (11 − 10) / (9 − 10)
    assert got.status is Status.BEHIND


def test_no_baseline_and_no_current_value() -> None:
    relative = Target(areas=(FOOTPRINT,), by=END, change=-0.10)
    assert area_progress(relative, FOOTPRINT, Direction.DECREASE, None,
                         reading(HALF, 11.0)).status is Status.NO_BASELINE
    level = Target(areas=(FOOTPRINT,), by=END, value=0.85)
    no_base = area_progress(level, FOOTPRINT, Direction.INCREASE, None, reading(HALF, 0.8))
    assert no_base.status is Status.NO_BASELINE and no_base.gap == pytest.approx(0.05)
    assert area_progress(level, FOOTPRINT, Direction.INCREASE, reading(START, 0.8),
                         None).status is Status.NOT_MEASURED


def test_past_the_target_date_the_whole_way_is_expected() -> None:
    target = Target(areas=(FOOTPRINT,), by=HALF, value=70)
    got = area_progress(target, FOOTPRINT, Direction.INCREASE, reading(START, 50),
                        reading(END, 69))
    assert got.expected_share == 1.0 and got.status is Status.BEHIND


def test_an_ambition_takes_baseline_and_latest_reading_per_area() -> None:
    ambition = PlanAmbition(
        key="suicide", title="Reduce suicide", triple_aim=(TripleAim.HEALTH_AND_WELLBEING,),
        direction=Direction.DECREASE, measure="m", baseline_date=START,
        targets=(Target(areas=(FOOTPRINT,), by=END, change=-0.10),
                 Target(areas=("PL-N", "PL-S"), by=END, change=-0.75)))
    readings = [reading(date(2024, 1, 1), 13.0), reading(START, 12.0), reading(HALF, 11.0),
                reading(START, 16.0, "PL-N"), reading(HALF, 15.0, "PL-N"),
                reading(HALF, 9.0, "PL-S")]  # no baseline-date reading for PL-S
    got = {p.area: p for p in ambition_progress(ambition, readings)}
    assert got[FOOTPRINT].baseline == reading(START, 12.0)
    assert got[FOOTPRINT].current == reading(HALF, 11.0)
    assert got[FOOTPRINT].status is Status.ON_TRACK  # (11 − 12) / (10.8 − 12) = 0.83 > 0.5
    assert got["PL-N"].target == pytest.approx(4.0)  # 16 × 0.25
    assert got["PL-N"].share_of_way == pytest.approx(1 / 12)  # (15 − 16) / (4 − 16)
    assert got["PL-N"].status is Status.BEHIND
    assert got["PL-S"].status is Status.NO_BASELINE
    counts = status_counts({"suicide": list(got.values())})
    assert counts == {Status.ACHIEVED: 0, Status.ON_TRACK: 1, Status.BEHIND: 1,
                      Status.NO_BASELINE: 1, Status.NOT_MEASURED: 0}


def test_without_a_baseline_date_the_earliest_reading_is_the_baseline() -> None:
    ambition = PlanAmbition(key="a", title="A", triple_aim=(TripleAim.CARE_AND_QUALITY,),
                            direction=Direction.INCREASE, measure="m",
                            targets=(Target(areas=(FOOTPRINT,), by=END, value=80),))
    got = ambition_progress(ambition, [reading(HALF, 70), reading(START, 60)])[0]
    assert got.baseline == reading(START, 60) and got.current == reading(HALF, 70)
    only_one = ambition_progress(ambition, [reading(START, 60)])[0]
    assert only_one.status is Status.NOT_MEASURED  # a baseline and nothing since
