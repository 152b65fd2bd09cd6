"""A programme's plans at a series of period ends, as the long table progress.csv holds.

Why: the same programme rules evaluated at each period end give a series of practice measure
tables; summed to PCN, sub-ICB, place and ICS they show whether the footprint is moving towards
its ambition. This module turns measured plans into rows, footprint totals and trend lines; the
measuring itself is the use case's (`joinedup.app.progress`). docs/progress.md describes every
column.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from joinedup.domain.ambitions import Ambition
from joinedup.domain.progress.improvers import Improvement, improvers
from joinedup.domain.progress.pace import Pace, ambition_lines, paces
from joinedup.domain.targeting import Level, Plan, RollUp, TargetedPractice

ROW_LEVELS: tuple[str, ...] = ("ics", "place", "sub_icb", "pcn", "practice")
"""Levels of progress.csv, largest first; every level sums the practices below it."""
_ROLLUP_LEVELS: tuple[Level, ...] = ("ics", "place", "sub_icb", "pcn")
COUNT_COLUMNS = ("list_size", "expected", "recorded", "eligible", "treated", "exceptions",
                 "to_find", "to_treat")
"""The columns of progress.csv that add up from practices to every level above."""



@dataclass(frozen=True)
class Period:
    """One period end and the programme's plan (counts, gaps, ranks) at it."""

    period_end: date
    plan: Plan
    treated_rule: str = ""
    """The treated rule (QOF indicator) in force at this period end, e.g. AF007 or AF008."""

    def practice(self, code: str) -> TargetedPractice | None:
        return next((p for p in self.plan.practices if p.practice_code == code), None)


@dataclass(frozen=True)
class ProgressSeries:
    """A programme's plans at each period end, oldest first, with what produced them."""

    programme: str
    title: str
    ambition: Ambition
    periods: tuple[Period, ...]
    names: dict[str, str] = field(default_factory=dict)
    parameters: str = ""
    eligible_share: float | None = None
    """Share of found patients who are eligible (for the combined ambition's managed share)."""

    @property
    def period_ends(self) -> list[date]:
        return [p.period_end for p in self.periods]

    def rule_changes(self) -> list[dict[str, str]]:
        """Where the treated rule changes between consecutive periods (QOF AF007 -> AF008):
        the series is not like for like across these dates."""
        return [
            {"period_end": now.period_end.isoformat(), "from": before.treated_rule,
             "to": now.treated_rule}
            for before, now in zip(self.periods, self.periods[1:], strict=False)
            if before.treated_rule != now.treated_rule
        ]

    def rows(self) -> list[dict[str, Any]]:
        """progress.csv: one row per period end, level (ICS to practice) and organisation."""
        out: list[dict[str, Any]] = []
        for period in self.periods:
            parents = _parents(period.plan.practices)
            for level in _ROLLUP_LEVELS:
                for rollup in period.plan.roll_up(level):
                    out.append(self._rollup_row(period.period_end, rollup,
                                                parents.get((level, rollup.code), {})))
            practices = sorted(period.plan.practices, key=lambda p: p.practice_code)
            out.extend(self._practice_row(period.period_end, p) for p in practices)
        return out

    def trend(self) -> dict[str, list[float | None]]:
        """The footprint's rates at each period end, for a chart (see `trend`)."""
        return trend(footprint_totals(self.rows()), self.ambition, self.eligible_share)

    def ambitions(self) -> dict[str, float]:
        """The ambition each trend series is judged against."""
        return ambition_lines(self.ambition)

    def pace(self) -> dict[str, Pace]:
        """Each trend series' change, slope and projected date of reaching its ambition."""
        return paces(self.period_ends, self.trend(), self.ambition)

    def improvers(self) -> list[Improvement]:
        """Practices in both the first and the last period, most improved first."""
        return improvers(self.rows())

    def _practice_row(self, period_end: date, row: TargetedPractice) -> dict[str, Any]:
        c = row.counts
        return {
            "period_end": period_end,
            "programme": self.programme,
            "level": "practice",
            "code": c.practice_code,
            "name": c.practice_name or self.names.get(c.practice_code, ""),
            "ics_code": c.ics_code,
            "place_code": c.place_code,
            "sub_icb_code": c.sub_icb_code,
            "pcn_code": c.pcn_code,
            "practices": 1,
            "list_size": c.list_size,
            "expected": c.expected,
            "recorded": c.recorded,
            "eligible": c.eligible,
            "treated": c.treated,
            "exceptions": c.exceptions,
            "detection_rate": c.detection_rate,
            "treatment_rate": c.treatment_rate,
            "to_find": row.to_find,
            "to_treat": row.to_treat,
        }

    def _rollup_row(
        self, period_end: date, rollup: RollUp, parents: dict[str, str | None]
    ) -> dict[str, Any]:
        return {
            "period_end": period_end,
            "programme": self.programme,
            "level": rollup.level,
            "code": rollup.code,
            "name": self.names.get(rollup.code or "", ""),
            "ics_code": parents.get("ics_code"),
            "place_code": parents.get("place_code"),
            "sub_icb_code": parents.get("sub_icb_code"),
            "pcn_code": parents.get("pcn_code"),
            "practices": rollup.practices,
            "list_size": rollup.list_size,
            "expected": rollup.expected,
            "recorded": rollup.recorded,
            "eligible": rollup.eligible,
            "treated": rollup.treated,
            "exceptions": rollup.exceptions,
            "detection_rate": rollup.detection_rate,
            "treatment_rate": rollup.treatment_rate,
            "to_find": rollup.to_find,
            "to_treat": rollup.to_treat,
        }


def _parents(practices: Sequence[TargetedPractice]) -> dict[tuple[str, str | None], dict[str, Any]]:
    """For each roll-up (level, code), the codes of the levels above it (from its practices)."""
    chain = ("pcn", "sub_icb", "place", "ics")
    out: dict[tuple[str, str | None], dict[str, Any]] = {}
    for row in practices:
        for position, level in enumerate(chain):
            code = getattr(row.counts, f"{level}_code")
            above = {f"{upper}_code": getattr(row.counts, f"{upper}_code")
                     for upper in chain[position:]}
            out.setdefault((level, code), above)
    return out


def footprint_totals(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The footprint's counts and rates at each period end: its ICS rows summed (in practice one
    ICS), rates recomputed from the sums. A count unknown in any ICS row is unknown here."""
    by_period: dict[date, list[Mapping[str, Any]]] = {}
    for row in rows:
        if row["level"] == "ics":
            by_period.setdefault(row["period_end"], []).append(row)
    out = []
    for day in sorted(by_period):
        group = by_period[day]
        total: dict[str, Any] = {"period_end": day}
        for column in COUNT_COLUMNS:
            values = [r[column] for r in group]
            total[column] = None if any(v is None for v in values) else sum(values)
        total["detection_rate"] = _rate(total["recorded"], total["expected"])
        total["treatment_rate"] = _rate(total["treated"], total["eligible"])
        out.append(total)
    return out


def trend(
    totals: Sequence[Mapping[str, Any]], ambition: Ambition, eligible_share: float | None = None
) -> dict[str, list[float | None]]:
    """Detection and treatment rates over the periods; for a combined ambition also the
    managed share, treated ÷ (expected × share of AF patients eligible)."""
    series: dict[str, list[float | None]] = {
        "detection_rate": [t["detection_rate"] for t in totals],
        "treatment_rate": [t["treatment_rate"] for t in totals],
    }
    if ambition.is_combined:
        share = eligible_share or 0.0
        series["managed_share"] = [
            _rate(t["treated"], None if t["expected"] is None else t["expected"] * share)
            for t in totals
        ]
    return series


def _rate(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or denominator is None or denominator <= 0:
        return None
    return numerator / denominator
