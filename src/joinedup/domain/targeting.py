"""Targeting: rank practices by absolute opportunity, plan willing ones into waves, roll up.

Why ("the clever bit", DESIGN.md): the patients to find and treat are concentrated in a few
large practices with big gaps, not in the practices with the worst rates. Ranking by the
absolute number of patients (ignoring sub-ICB and place boundaries) sends support where most
strokes can be prevented; a Pareto curve shows how few practices hold most of the gap; and only
practices that opted in (the willing list) are planned, in waves of k, in rank order.

    opportunity = weight_find × to_find + weight_treat × to_treat      (defaults 1 and 1)

Ties are broken by larger to_treat (known untreated patients are the quickest, surest strokes
prevented), then larger to_find, then practice_code, so every run gives the same order. An
unknown gap (None) counts as 0 in the opportunity and the row's note says so. Practices with no
opportunity are ranked but never planned. docs/targeting.md has the worked examples.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from joinedup.domain.ambitions import Ambition, Gap, gap
from joinedup.domain.errors import UserError
from joinedup.domain.impact import ImpactEstimator, ImpactResult
from joinedup.domain.measures import (
    PRACTICE_TABLE_COLUMNS,
    PracticeCounts,
    detection_rate,
    treatment_rate,
)

Level = Literal["pcn", "sub_icb", "place", "ics"]
LEVELS: tuple[Level, ...] = ("pcn", "sub_icb", "place", "ics")
FOOTPRINT = "footprint"

EXTRA_COLUMNS = ("opportunity", "savings_gbp_five_year", "note")
"""Columns a practice row adds after DESIGN.md's (`TargetedPractice.as_row(extended=True)`)."""

IMPACT_PARTIAL = "impact counts newly found patients only"

_OWN_COLUMNS = frozenset(
    {
        "to_find",
        "to_treat",
        "willing",
        "rank",
        "wave",
        "strokes_prevented_per_year",
        "deaths_avoided_per_year",
        "savings_gbp_per_year",
        *EXTRA_COLUMNS,
    }
)
"""practices.csv columns a TargetedPractice computes; the rest come from its PracticeCounts."""


class TargetingError(UserError):
    """Input that cannot be planned: duplicate practices, mixed periods, unknown willing codes."""


@dataclass(frozen=True)
class TargetingPolicy:
    """How opportunity is weighted and practices are planned."""

    weight_find: float = 1.0
    weight_treat: float = 1.0
    wave_size: int = 10
    max_waves: int | None = None
    willing: frozenset[str] | None = None
    """Practice codes that opted in; None means every practice is willing."""

    def __post_init__(self) -> None:
        if self.weight_find < 0 or self.weight_treat < 0:
            raise TargetingError("opportunity weights must be 0 or more")
        if self.weight_find == 0 and self.weight_treat == 0:
            raise TargetingError("at least one opportunity weight must be above 0")
        if self.wave_size < 1:
            raise TargetingError(f"wave_size must be 1 or more, got {self.wave_size}")
        if self.max_waves is not None and self.max_waves < 1:
            raise TargetingError(f"max_waves must be 1 or more, got {self.max_waves}")
        if self.willing is not None:
            object.__setattr__(self, "willing", frozenset(self.willing))

    def opportunity(self, practice_gap: Gap) -> float:
        """Weighted patients to find and treat; an unknown part counts as 0."""
        return self.weight_find * (practice_gap.to_find or 0) + self.weight_treat * (
            practice_gap.to_treat or 0
        )


@dataclass(frozen=True)
class TargetedPractice:
    """One row of practices.csv: the practice's counts, its gap, rank, wave and impact."""

    counts: PracticeCounts
    to_find: int | None
    to_treat: int | None
    opportunity: float
    willing: bool
    rank: int
    wave: int | None
    impact: ImpactResult | None
    note: str | None = None

    @property
    def practice_code(self) -> str:
        return self.counts.practice_code

    @property
    def planned(self) -> bool:
        return self.wave is not None

    @property
    def strokes_prevented_per_year(self) -> float | None:
        return None if self.impact is None else self.impact.strokes_prevented_per_year

    @property
    def deaths_avoided_per_year(self) -> float | None:
        return None if self.impact is None else self.impact.deaths_avoided_per_year

    @property
    def savings_gbp_per_year(self) -> float | None:
        return None if self.impact is None else self.impact.savings_gbp_per_year

    @property
    def savings_gbp_five_year(self) -> float | None:
        return None if self.impact is None else self.impact.savings_gbp_five_year

    def as_row(self, *, extended: bool = False) -> dict[str, object]:
        """The practices.csv row: DESIGN.md's columns in order, then EXTRA_COLUMNS if asked."""
        columns = PRACTICE_TABLE_COLUMNS + (EXTRA_COLUMNS if extended else ())
        return {c: getattr(self if c in _OWN_COLUMNS else self.counts, c) for c in columns}


@dataclass(frozen=True)
class ParetoPoint:
    """The top k willing practices hold `share` of the whole footprint's opportunity."""

    k: int
    practice_code: str
    rank: int
    opportunity: float
    cumulative_opportunity: float
    share: float


@dataclass(frozen=True)
class WaveSummary:
    """What one wave of practices is worth."""

    wave: int
    practice_codes: tuple[str, ...]
    to_find: int
    to_treat: int
    opportunity: float
    share_of_footprint: float
    cumulative_share: float
    impact: ImpactResult | None
    practices_unknown_to_treat: int


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


@dataclass(frozen=True)
class Plan:
    """The targeting result for one programme and period."""

    ambition: Ambition
    policy: TargetingPolicy
    practices: tuple[TargetedPractice, ...]
    """All practices, in rank order."""
    pareto: tuple[ParetoPoint, ...]
    waves: tuple[WaveSummary, ...]
    total_opportunity: float
    parameters_version: str | None

    def roll_up(self, level: Level) -> list[RollUp]:
        return roll_up(self.practices, level)

    def summary(self) -> RollUp:
        return summarise(self.practices)


def plan(
    practices: Iterable[PracticeCounts],
    ambition: Ambition,
    policy: TargetingPolicy | None = None,
    impact: ImpactEstimator | None = None,
    eligible_share: float | None = None,
) -> Plan:
    """Gaps, ranks, waves, Pareto curve and impact for a footprint's practices.

    `eligible_share` is needed only for a combined ambition; by default it is the impact
    model's `eligible_share_of_found`. The ambition is always the caller's (resolved from the
    programme's own defaults, `AmbitionRequest.resolve`): there is no default programme.
    """
    policy = policy or TargetingPolicy()
    rows = list(practices)
    _check_inputs(rows, policy)
    if eligible_share is None and impact is not None:
        eligible_share = impact.eligible_share_of_found

    scored = []
    for counts in rows:
        practice_gap = gap(counts, ambition, eligible_share=eligible_share)
        scored.append((counts, practice_gap, policy.opportunity(practice_gap)))
    scored.sort(
        key=lambda item: (
            -item[2],
            -(item[1].to_treat or 0),
            -(item[1].to_find or 0),
            item[0].practice_code,
        )
    )

    ranked: list[TargetedPractice] = []
    planned = 0
    for position, (counts, practice_gap, opportunity) in enumerate(scored, start=1):
        willing = policy.willing is None or counts.practice_code in policy.willing
        wave = None
        if willing and opportunity > 0:
            candidate = planned // policy.wave_size + 1
            if policy.max_waves is None or candidate <= policy.max_waves:
                wave = candidate
            planned += 1
        ranked.append(
            _targeted(counts, practice_gap, opportunity, willing, position, wave, impact, ambition)
        )

    total = 0.0
    for row in ranked:
        total += row.opportunity
    return Plan(
        ambition=ambition,
        policy=policy,
        practices=tuple(ranked),
        pareto=pareto_curve(ranked, total),
        waves=_wave_summaries(ranked, total),
        total_opportunity=total,
        parameters_version=None if impact is None else impact.parameters_version,
    )


def pareto_curve(
    ranked: Sequence[TargetedPractice], total: float | None = None
) -> tuple[ParetoPoint, ...]:
    """For k = 1..n willing practices in rank order, their share of the whole footprint's gap.

    The denominator is every practice's opportunity, willing or not, so the curve shows how much
    of the footprint's gap the willing practices can close.
    """
    if total is None:
        total = 0.0
        for row in ranked:
            total += row.opportunity
    points: list[ParetoPoint] = []
    cumulative = 0.0
    for row in ranked:
        if not row.willing:
            continue
        cumulative += row.opportunity
        points.append(
            ParetoPoint(
                k=len(points) + 1,
                practice_code=row.practice_code,
                rank=row.rank,
                opportunity=row.opportunity,
                cumulative_opportunity=cumulative,
                share=cumulative / total if total > 0 else 0.0,
            )
        )
    return tuple(points)


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


def _check_inputs(rows: Sequence[PracticeCounts], policy: TargetingPolicy) -> None:
    seen: set[str] = set()
    repeated: set[str] = set()
    for row in rows:
        (repeated if row.practice_code in seen else seen).add(row.practice_code)
    if repeated:
        duplicates = sorted(repeated)
        raise TargetingError(f"practices given more than once: {', '.join(duplicates)}")
    keys = {(r.period_end, r.programme) for r in rows}
    if len(keys) > 1:
        shown = ", ".join(f"{p} {d.isoformat()}" for d, p in sorted(keys))
        raise TargetingError(f"plan one programme and period at a time; got {shown}")
    if policy.willing is not None:
        unknown = sorted(policy.willing - seen)
        if unknown:
            raise TargetingError(
                f"willing list names practices not in the footprint: {', '.join(unknown)}"
            )


def _targeted(
    counts: PracticeCounts,
    practice_gap: Gap,
    opportunity: float,
    willing: bool,
    rank: int,
    wave: int | None,
    model: ImpactEstimator | None,
    ambition: Ambition,
) -> TargetedPractice:
    note = practice_gap.note
    result = None
    if model is not None and not (practice_gap.to_find is None and practice_gap.to_treat is None):
        result = model.for_practice(counts, practice_gap, ambition)
        if practice_gap.to_treat is None:
            note = f"{note}; {IMPACT_PARTIAL}" if note else IMPACT_PARTIAL
    return TargetedPractice(
        counts=counts,
        to_find=practice_gap.to_find,
        to_treat=practice_gap.to_treat,
        opportunity=opportunity,
        willing=willing,
        rank=rank,
        wave=wave,
        impact=result,
        note=note,
    )


def _wave_summaries(ranked: Sequence[TargetedPractice], total: float) -> tuple[WaveSummary, ...]:
    by_wave: dict[int, list[TargetedPractice]] = {}
    for row in ranked:
        if row.wave is not None:
            by_wave.setdefault(row.wave, []).append(row)
    summaries = []
    cumulative = 0.0
    for wave in sorted(by_wave):
        members = by_wave[wave]
        opportunity = 0.0
        for row in members:
            opportunity += row.opportunity
        cumulative += opportunity
        summaries.append(
            WaveSummary(
                wave=wave,
                practice_codes=tuple(r.practice_code for r in members),
                to_find=sum(r.to_find or 0 for r in members),
                to_treat=sum(r.to_treat or 0 for r in members),
                opportunity=opportunity,
                share_of_footprint=opportunity / total if total > 0 else 0.0,
                cumulative_share=cumulative / total if total > 0 else 0.0,
                impact=_sum_impacts(members),
                practices_unknown_to_treat=sum(1 for r in members if r.to_treat is None),
            )
        )
    return tuple(summaries)


def _sum_impacts(rows: Iterable[TargetedPractice]) -> ImpactResult | None:
    total: ImpactResult | None = None
    for row in rows:
        if row.impact is not None:
            total = row.impact if total is None else total + row.impact
    return total


def _sum(level: str, code: str | None, rows: list[TargetedPractice]) -> RollUp:
    known = [
        r.counts for r in rows if r.counts.eligible is not None and r.counts.treated is not None
    ]
    exceptions = [r.counts.exceptions for r in rows if r.counts.exceptions is not None]
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
        impact=_sum_impacts(rows),
    )
