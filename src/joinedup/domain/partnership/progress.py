"""Progress against an ambition in one area: how far from the baseline towards the target, and
whether that is on pace for the target date.

Why its own module: the board asks one question of every ambition — are we getting there? — and
must get the same answer on the home page, in the API and in exports. The rules:

    target level      = the target's value, or baseline × (1 + change)
    share of the way  = (current − baseline) ÷ (target level − baseline)
    expected share    = days from baseline to current ÷ days from baseline to the target date
    status            = achieved        if current is at or beyond the target level
                        on track        if share of the way ≥ expected share
                        behind          otherwise
                        no baseline     if there is no baseline to judge pace from
                        not measured    if there is no current value

"Beyond" follows the ambition's direction (a fall in suicide is progress). Pure arithmetic:
standard library only; worked examples are in tests/unit/domain/test_partnership_progress.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from joinedup.domain.partnership.model import Direction, PlanAmbition, Reading, Target


class Status(StrEnum):
    ACHIEVED = "achieved"
    ON_TRACK = "on track"
    BEHIND = "behind"
    NO_BASELINE = "no baseline"
    NOT_MEASURED = "not measured"


@dataclass(frozen=True)
class AreaProgress:
    """One ambition in one area: its target, baseline, latest reading and status."""

    area: str
    by: date
    target: float | None
    baseline: Reading | None
    current: Reading | None
    status: Status
    share_of_way: float | None = None
    expected_share: float | None = None

    @property
    def gap(self) -> float | None:
        """Still to go: target minus current (negative for a fall still to come)."""
        if self.target is None or self.current is None:
            return None
        return self.target - self.current.value


def area_progress(target: Target, area: str, direction: Direction,
                  baseline: Reading | None, current: Reading | None) -> AreaProgress:
    """Progress in `area` towards `target` (see the module note for the rules)."""
    level = target.level(baseline.value if baseline else None)
    if current is None:
        return AreaProgress(area, target.by, level, baseline, None, Status.NOT_MEASURED)
    if level is None:
        return AreaProgress(area, target.by, None, baseline, current, Status.NO_BASELINE)
    if _reached(current.value, level, direction):
        share = _share(baseline, current, level)
        return AreaProgress(area, target.by, level, baseline, current, Status.ACHIEVED, share,
                            _expected(baseline, current, target.by))
    if baseline is None:
        return AreaProgress(area, target.by, level, None, current, Status.NO_BASELINE)
    share = _share(baseline, current, level)
    expected = _expected(baseline, current, target.by)
    on_track = share is not None and expected is not None and share >= expected
    return AreaProgress(area, target.by, level, baseline, current,
                        Status.ON_TRACK if on_track else Status.BEHIND, share, expected)


def ambition_progress(ambition: PlanAmbition, readings: Iterable[Reading]) -> list[AreaProgress]:
    """Every area of every target of `ambition`, from the readings of its measure.

    The baseline is the reading at the ambition's `baseline_date` (None if there is none), or
    the earliest reading when the ambition names no baseline date; the current value is the
    latest reading, if it is later than the baseline.
    """
    by_area: dict[str, list[Reading]] = {}
    for reading in readings:
        by_area.setdefault(reading.area, []).append(reading)
    out = []
    for target in ambition.targets:
        for area in target.areas:
            series = sorted(by_area.get(area, []), key=lambda r: r.period_end)
            baseline, current = _baseline_and_current(series, ambition.baseline_date)
            out.append(area_progress(target, area, ambition.direction, baseline, current))
    return out


def _baseline_and_current(series: list[Reading], baseline_date: date | None
                          ) -> tuple[Reading | None, Reading | None]:
    if not series:
        return None, None
    if baseline_date is None:
        baseline: Reading | None = series[0]
    else:
        baseline = next((r for r in series if r.period_end == baseline_date), None)
    latest = series[-1]
    if baseline is not None and latest.period_end <= baseline.period_end:
        return baseline, None
    return baseline, latest


def _reached(value: float, level: float, direction: Direction) -> bool:
    return value >= level if direction is Direction.INCREASE else value <= level


def _share(baseline: Reading | None, current: Reading, level: float) -> float | None:
    if baseline is None or level == baseline.value:
        return None
    return (current.value - baseline.value) / (level - baseline.value)


def _expected(baseline: Reading | None, current: Reading, by: date) -> float | None:
    if baseline is None:
        return None
    span = (by - baseline.period_end).days
    if span <= 0:
        return 1.0
    return min(1.0, (current.period_end - baseline.period_end).days / span)


def status_counts(progress: Mapping[str, list[AreaProgress]]) -> dict[Status, int]:
    """How many (ambition, area) pairs have each status: the plan's one-line summary."""
    counts = dict.fromkeys(Status, 0)
    for areas in progress.values():
        for item in areas:
            counts[item.status] += 1
    return counts
