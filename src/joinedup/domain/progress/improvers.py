"""The practices that improved most between the first and the last period of a series.

Why: improvement leads learn from the practices that moved most; ranking by patients gained (a
rate change weighed by the patients it touches) rather than by the rate change alone keeps a
small practice's noisy swing from topping the list.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Improvement:
    """One practice's change between the first and the last period (a row of improvers.csv).

    `found_by_improvement` = change in detection rate × expected now: the patients on the
    register now beyond what the first period's rate would give; `treated_by_improvement` the
    same for treatment (× eligible now). Their sum, `patients_gained`, ranks the practices: it
    weighs a rate change by the patients it touches and is not inflated by a growing list.
    """

    rank: int
    practice_code: str
    practice_name: str
    pcn_code: str | None
    place_code: str | None
    first_period: date
    last_period: date
    expected_first: float | None
    expected_last: float | None
    recorded_first: int | None
    recorded_last: int | None
    detection_rate_first: float | None
    detection_rate_last: float | None
    eligible_first: int | None
    eligible_last: int | None
    treated_first: int | None
    treated_last: int | None
    treatment_rate_first: float | None
    treatment_rate_last: float | None
    to_find_first: int | None
    to_find_last: int | None
    to_treat_first: int | None
    to_treat_last: int | None

    @property
    def detection_change(self) -> float | None:
        return _difference(self.detection_rate_last, self.detection_rate_first)

    @property
    def treatment_change(self) -> float | None:
        return _difference(self.treatment_rate_last, self.treatment_rate_first)

    @property
    def recorded_gain(self) -> int | None:
        return _int_difference(self.recorded_last, self.recorded_first)

    @property
    def treated_gain(self) -> int | None:
        return _int_difference(self.treated_last, self.treated_first)

    @property
    def found_by_improvement(self) -> float | None:
        change = self.detection_change
        if change is None or self.expected_last is None:
            return None
        return change * self.expected_last

    @property
    def treated_by_improvement(self) -> float | None:
        change = self.treatment_change
        if change is None or self.eligible_last is None:
            return None
        return change * self.eligible_last

    @property
    def patients_gained(self) -> float:
        return (self.found_by_improvement or 0.0) + (self.treated_by_improvement or 0.0)

    @property
    def gap_closed(self) -> int | None:
        before = _total(self.to_find_first, self.to_treat_first)
        after = _total(self.to_find_last, self.to_treat_last)
        return None if before is None or after is None else before - after

    def as_dict(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "practice_code": self.practice_code,
            "practice_name": self.practice_name,
            "pcn_code": self.pcn_code,
            "place_code": self.place_code,
            "first_period": self.first_period.isoformat(),
            "last_period": self.last_period.isoformat(),
            "patients_gained": self.patients_gained,
            "expected_first": self.expected_first,
            "expected_last": self.expected_last,
            "recorded_first": self.recorded_first,
            "recorded_last": self.recorded_last,
            "recorded_gain": self.recorded_gain,
            "detection_rate_first": self.detection_rate_first,
            "detection_rate_last": self.detection_rate_last,
            "detection_change": self.detection_change,
            "found_by_improvement": self.found_by_improvement,
            "eligible_first": self.eligible_first,
            "eligible_last": self.eligible_last,
            "treated_first": self.treated_first,
            "treated_last": self.treated_last,
            "treated_gain": self.treated_gain,
            "treatment_rate_first": self.treatment_rate_first,
            "treatment_rate_last": self.treatment_rate_last,
            "treatment_change": self.treatment_change,
            "treated_by_improvement": self.treated_by_improvement,
            "to_find_first": self.to_find_first,
            "to_find_last": self.to_find_last,
            "to_treat_first": self.to_treat_first,
            "to_treat_last": self.to_treat_last,
            "gap_closed": self.gap_closed,
        }


def improvers(rows: Sequence[Mapping[str, Any]]) -> list[Improvement]:
    """Practices in the first and the last period of progress rows, ranked by `patients_gained`.

    Works on exact or published rows alike (a suppressed count is None, and so is anything
    computed from it). Ties fall back to the larger gap closed, then the practice code.
    """
    practices = [r for r in rows if r["level"] == "practice"]
    if not practices:
        return []
    first_end = min(r["period_end"] for r in practices)
    last_end = max(r["period_end"] for r in practices)
    before = {r["code"]: r for r in practices if r["period_end"] == first_end}
    out = []
    for now in (r for r in practices if r["period_end"] == last_end):
        was = before.get(now["code"])
        if was is None:
            continue
        out.append(Improvement(
            rank=0,
            practice_code=now["code"],
            practice_name=now["name"] or "",
            pcn_code=now["pcn_code"],
            place_code=now["place_code"],
            first_period=first_end,
            last_period=last_end,
            expected_first=was["expected"],
            expected_last=now["expected"],
            recorded_first=was["recorded"],
            recorded_last=now["recorded"],
            detection_rate_first=was["detection_rate"],
            detection_rate_last=now["detection_rate"],
            eligible_first=was["eligible"],
            eligible_last=now["eligible"],
            treated_first=was["treated"],
            treated_last=now["treated"],
            treatment_rate_first=was["treatment_rate"],
            treatment_rate_last=now["treatment_rate"],
            to_find_first=was["to_find"],
            to_find_last=now["to_find"],
            to_treat_first=was["to_treat"],
            to_treat_last=now["to_treat"],
        ))
    out.sort(key=lambda r: (-r.patients_gained, -(r.gap_closed or 0), r.practice_code))
    return [_with_rank(r, rank) for rank, r in enumerate(out, start=1)]


def _with_rank(row: Improvement, rank: int) -> Improvement:
    return replace(row, rank=rank)


def _difference(now: float | None, then: float | None) -> float | None:
    return None if now is None or then is None else now - then


def _int_difference(now: int | None, then: int | None) -> int | None:
    return None if now is None or then is None else now - then


def _total(a: int | None, b: int | None) -> int | None:
    return None if a is None and b is None else (a or 0) + (b or 0)
