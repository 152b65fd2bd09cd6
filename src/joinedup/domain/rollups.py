"""Roll-ups: a plan's practices summed to PCN, sub-ICB, place, ICS or the whole footprint.

Why apart from targeting: every output (rollups.csv, summary.json, progress, the report, the
dashboard) sums practices the same way — exact sums, rates recomputed from the sums, unknown
counts said to be unknown — so the rule is written once, here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from joinedup.domain.impact import ImpactResult
from joinedup.domain.measures import detection_rate, treatment_rate
from joinedup.domain.targeted import TargetedPractice

Level = Literal["pcn", "sub_icb", "place", "ics"]
LEVELS: tuple[Level, ...] = ("pcn", "sub_icb", "place", "ics")
FOOTPRINT = "footprint"


@dataclass(frozen=True)
class RollUp:
    """Counts summed over the practices in one organisation; rates recomputed from the sums.

    eligible and treated are summed over practices where both are known (None if none are);
    `practices_unknown_treatment` says how many practices that left out, and
    `practices_unknown_to_treat` how many have no to_treat (counted as 0 in to_treat).
    """

    level: str
    code: str | None
    practices: int
    list_size: int
    expected: float
    recorded: int
    eligible: int | None
    treated: int | None
    exceptions: int | None
    to_find: int
    to_treat: int
    opportunity: float
    willing_practices: int
    planned_practices: int
    practices_unknown_treatment: int
    practices_unknown_to_treat: int
    impact: ImpactResult | None
    to_assess: int | None = None

    @property
    def detection_rate(self) -> float | None:
        return detection_rate(self.recorded, self.expected)

    @property
    def treatment_rate(self) -> float | None:
        return treatment_rate(self.treated, self.eligible)

    def as_dict(self) -> dict[str, object]:
        impact = self.impact
        return {
            "level": self.level,
            "code": self.code,
            "practices": self.practices,
            "list_size": self.list_size,
            "expected": self.expected,
            "recorded": self.recorded,
            "eligible": self.eligible,
            "treated": self.treated,
            "exceptions": self.exceptions,
            "to_assess": self.to_assess,
            "detection_rate": self.detection_rate,
            "treatment_rate": self.treatment_rate,
            "to_find": self.to_find,
            "to_treat": self.to_treat,
            "opportunity": self.opportunity,
            "willing_practices": self.willing_practices,
            "planned_practices": self.planned_practices,
            "practices_unknown_treatment": self.practices_unknown_treatment,
            "practices_unknown_to_treat": self.practices_unknown_to_treat,
            "strokes_prevented_per_year": impact and impact.strokes_prevented_per_year,
            "deaths_avoided_per_year": impact and impact.deaths_avoided_per_year,
            "savings_gbp_per_year": impact and impact.savings_gbp_per_year,
            "savings_gbp_five_year": impact and impact.savings_gbp_five_year,
        }


def roll_up(rows: Iterable[TargetedPractice], level: Level) -> list[RollUp]:
    """Practices summed to each organisation at `level`, ordered by code (unassigned last)."""
    if level not in LEVELS:
        raise ValueError(f"unknown roll-up level {level!r}; choose from {LEVELS}")
    groups: dict[str | None, list[TargetedPractice]] = {}
    for row in rows:
        groups.setdefault(getattr(row.counts, f"{level}_code"), []).append(row)
    ordered = sorted(groups, key=lambda code: (code is None, code or ""))
    return [_sum(level, code, groups[code]) for code in ordered]


def summarise(rows: Iterable[TargetedPractice]) -> RollUp:
    """Every practice summed into one footprint total (summary.json)."""
    return _sum(FOOTPRINT, None, list(rows))


def sum_impacts(rows: Iterable[TargetedPractice]) -> ImpactResult | None:
    return ImpactResult.total([row.impact for row in rows if row.impact is not None])


def _sum(level: str, code: str | None, rows: list[TargetedPractice]) -> RollUp:
    known = [
        r.counts for r in rows if r.counts.eligible is not None and r.counts.treated is not None
    ]
    exceptions = [r.counts.exceptions for r in rows if r.counts.exceptions is not None]
    to_assess = [r.counts.to_assess for r in rows if r.counts.to_assess is not None]
    return RollUp(
        level=level,
        code=code,
        practices=len(rows),
        list_size=sum(r.counts.list_size for r in rows),
        expected=math.fsum(r.counts.expected for r in rows),
        recorded=sum(r.counts.recorded for r in rows),
        eligible=sum(c.eligible or 0 for c in known) if known else None,
        treated=sum(c.treated or 0 for c in known) if known else None,
        exceptions=sum(exceptions) if exceptions else None,
        to_find=sum(r.to_find or 0 for r in rows),
        to_treat=sum(r.to_treat or 0 for r in rows),
        opportunity=math.fsum(r.opportunity for r in rows),
        willing_practices=sum(1 for r in rows if r.willing),
        planned_practices=sum(1 for r in rows if r.planned),
        practices_unknown_treatment=len(rows) - len(known),
        practices_unknown_to_treat=sum(1 for r in rows if r.to_treat is None),
        impact=sum_impacts(rows),
        to_assess=sum(to_assess) if to_assess else None,
    )
