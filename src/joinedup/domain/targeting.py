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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from joinedup.domain.ambitions import Ambition, Gap, gap
from joinedup.domain.errors import UserError
from joinedup.domain.impact import ImpactEstimator, ImpactResult
from joinedup.domain.measures import PracticeCounts
from joinedup.domain.rollups import (
    FOOTPRINT,
    LEVELS,
    Level,
    RollUp,
    roll_up,
    sum_impacts,
    summarise,
)
from joinedup.domain.targeted import EXTRA_COLUMNS, IMPACT_PARTIAL, TargetedPractice

__all__ = [
    "EXTRA_COLUMNS",
    "FOOTPRINT",
    "LEVELS",
    "Level",
    "ParetoPoint",
    "Plan",
    "RollUp",
    "TargetedPractice",
    "TargetingError",
    "TargetingPolicy",
    "WaveSummary",
    "pareto_curve",
    "pareto_from_rows",
    "plan",
    "roll_up",
    "summarise",
]


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


def pareto_from_rows(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The Pareto curve from practices.csv rows as shown (exact, or published).

    Rows in rank order; the top k willing practices with an opportunity above 0, each with the
    cumulative share of the whole footprint's opportunity they hold. An opportunity that is
    unknown (published with a suppressed gap) counts as 0, as in the report.
    """
    total = math.fsum(r.get("opportunity") or 0 for r in rows)
    points: list[dict[str, Any]] = []
    running = 0.0
    for row in rows:
        opportunity = row.get("opportunity") or 0
        if row.get("willing") and opportunity > 0:
            running += opportunity
            points.append({
                "k": len(points) + 1, "rank": row.get("rank"),
                "practice_code": row.get("practice_code"),
                "practice_name": row.get("practice_name"), "wave": row.get("wave"),
                "opportunity": opportunity, "cumulative_opportunity": running,
                "cumulative_share": running / total if total > 0 else 0.0,
            })
    return points


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
                impact=sum_impacts(members),
                practices_unknown_to_treat=sum(1 for r in members if r.to_treat is None),
            )
        )
    return tuple(summaries)


