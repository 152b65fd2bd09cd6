"""AF's impact model ("stroke_risk_by_score"): strokes prevented by anticoagulation, by risk score.

Why: an ICS needs to say what closing a gap is worth, in the terms boards and the public use,
with every figure traceable to a source. The model is the AHSN Network / PHE programme heuristic
(docs/impact.md):

    strokes prevented a year = Σ over CHA2DS2-VASc scores s of
                               additional anticoagulated at s × annual stroke risk(s) × RRR
    deaths avoided a year    = strokes × deaths per stroke prevented
    savings a year           = strokes × health and social care cost of a stroke in year one
    five-year savings        = strokes × cumulative five-year cost of a stroke (a lower bound)

Additional anticoagulated = existing eligible patients treated (a practice's to_treat) plus
newly found patients × share eligible × share then treated. Existing patients are spread over
scores in proportion to the practice's eligible-untreated patients at each score when the source
has patient-level detail (`risk_counts`), else by the cited distribution; found patients always
by the distribution. All figures come from the parameter set's `stroke_risk`, `impact` and
`risk_distribution` tables, and every result carries the set's version.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from joinedup.domain.ambitions import Ambition, Gap
from joinedup.domain.impact.parameters import (
    IMPACT,
    parameter,
    score_table,
    treated_share_of_found,
)
from joinedup.domain.impact.result import (
    ImpactError,
    ImpactResult,
    check_additional,
    found_treated_share,
)
from joinedup.domain.measures import PracticeCounts
from joinedup.domain.parameters import ParameterError, ParameterSet

STROKE_RISK = "stroke_risk"
RISK_DISTRIBUTION = "risk_distribution"
_SHARE_TOLERANCE = 0.001


@dataclass(frozen=True)
class StrokeRiskModel:
    """The impact parameters, read and checked once from a parameter set."""

    stroke_risk: Mapping[int, float]
    """Annual stroke risk without anticoagulation, by CHA2DS2-VASc score."""
    risk_distribution: Mapping[int, float]
    """Share of eligible patients at each score (sums to 1), for sources without detail."""
    relative_risk_reduction: float
    deaths_per_stroke_prevented: float
    cost_per_stroke_year_one_gbp: float
    cost_per_stroke_five_year_gbp: float
    eligible_share_of_found: float
    treated_share_of_found: float | None
    """None: use the ambition's (the shipped default)."""
    parameters_version: str

    @classmethod
    def from_parameters(cls, parameters: ParameterSet) -> StrokeRiskModel:
        risk = score_table(parameters[STROKE_RISK], "annual_stroke_risk")
        distribution = score_table(parameters[RISK_DISTRIBUTION], "share")
        dist_table = parameters[RISK_DISTRIBUTION]
        unknown = sorted(set(distribution) - set(risk))
        if unknown:
            raise ParameterError(
                f"{dist_table.path}: scores {unknown} have no stroke risk in "
                f"{parameters[STROKE_RISK].path.name}"
            )
        total = math.fsum(distribution.values())
        if abs(total - 1.0) > _SHARE_TOLERANCE:
            raise ParameterError(f"{dist_table.path}: column 'share' sums to {total:.6f}, not 1")
        impact = parameters[IMPACT]
        treated_share = treated_share_of_found(impact)  # checked first, as it always was
        return cls(
            stroke_risk=risk,
            risk_distribution={s: v / total for s, v in distribution.items()},
            relative_risk_reduction=parameter(impact, "relative_risk_reduction", upper=1.0),
            deaths_per_stroke_prevented=parameter(
                impact, "deaths_per_stroke_prevented", upper=1.0
            ),
            cost_per_stroke_year_one_gbp=parameter(impact, "cost_per_stroke_year_one_gbp"),
            cost_per_stroke_five_year_gbp=parameter(impact, "cost_per_stroke_five_year_gbp"),
            eligible_share_of_found=parameter(impact, "eligible_share_of_found", upper=1.0),
            treated_share_of_found=treated_share,
            parameters_version=parameters.version,
        )

    def found_treated_share(self, ambition: Ambition) -> float:
        """Share of newly found eligible patients assumed treated."""
        return found_treated_share(self.treated_share_of_found, ambition)

    def result(
        self,
        existing_by_score: Mapping[int, float],
        found: float,
        ambition: Ambition,
    ) -> ImpactResult:
        """Impact of anticoagulating `existing_by_score` patients and finding `found` more."""
        for score in existing_by_score:
            if score not in self.stroke_risk:
                raise ImpactError(f"risk score {score} has no annual stroke risk in stroke_risk")
        newly_treated = found * self.eligible_share_of_found * self.found_treated_share(ambition)
        scores = sorted(set(existing_by_score) | set(self.risk_distribution))
        treated_by_score = {
            s: existing_by_score.get(s, 0.0) + newly_treated * self.risk_distribution.get(s, 0.0)
            for s in scores
        }
        by_score = {
            s: n * self.stroke_risk[s] * self.relative_risk_reduction
            for s, n in treated_by_score.items()
        }
        strokes = math.fsum(by_score.values())
        return ImpactResult(
            strokes_prevented_per_year=strokes,
            deaths_avoided_per_year=strokes * self.deaths_per_stroke_prevented,
            savings_gbp_per_year=strokes * self.cost_per_stroke_year_one_gbp,
            savings_gbp_five_year=strokes * self.cost_per_stroke_five_year_gbp,
            parameters_version=self.parameters_version,
            additional_treated=math.fsum(existing_by_score.values()),
            additional_found=found,
            newly_found_treated=newly_treated,
            strokes_by_score=by_score,
        )

    def for_additional(
        self,
        additional_treated: float,
        additional_found: float,
        ambition: Ambition,
    ) -> ImpactResult:
        """Impact of treating and finding these numbers of patients, spread by the distribution."""
        check_additional(additional_treated, additional_found)
        existing = {s: additional_treated * share for s, share in self.risk_distribution.items()}
        return self.result(existing, float(additional_found), ambition)

    def for_practice(
        self, counts: PracticeCounts, gap: Gap, ambition: Ambition
    ) -> ImpactResult:
        """Impact if this practice closes its gap; an unknown to_treat counts as 0 (see note)."""
        to_treat = gap.to_treat or 0
        found = float(gap.to_find or 0)
        untreated = {
            score: max(0, eligible - treated)
            for score, (eligible, treated) in counts.risk_counts.items()
        }
        total_untreated = sum(untreated.values())
        if to_treat and total_untreated > 0:
            for score in untreated:
                if score not in self.stroke_risk:
                    raise ImpactError(
                        f"practice {counts.practice_code}: risk score {score} has no annual "
                        "stroke risk in stroke_risk"
                    )
            existing = {s: to_treat * n / total_untreated for s, n in untreated.items() if n}
        else:
            existing = {s: to_treat * share for s, share in self.risk_distribution.items()}
        return self.result(existing, found, ambition)
