"""What every impact model gives: an `ImpactResult`, the `ImpactEstimator` protocol, shared rules.

Why apart from the models: targeting, roll-ups and outputs add and report impacts without knowing
which model made them (strokes by CHA2DS2-VASc for AF, blood-pressure lowering for
hypertension); a new model implements the protocol and registers in `domain.extensions`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from joinedup.domain.ambitions import Ambition, Gap
from joinedup.domain.errors import UserError
from joinedup.domain.measures import PracticeCounts


class ImpactError(UserError):
    """Input the impact model cannot use (a negative count, a risk score with no stroke risk)."""


@dataclass(frozen=True)
class ImpactResult:
    """What some additional anticoagulation is worth each year, and which parameters said so."""

    strokes_prevented_per_year: float
    deaths_avoided_per_year: float
    savings_gbp_per_year: float
    savings_gbp_five_year: float
    parameters_version: str
    additional_treated: float = 0.0
    """Existing eligible patients newly anticoagulated."""
    additional_found: float = 0.0
    """Patients newly found (diagnosed and put on the register)."""
    newly_found_treated: float = 0.0
    """Of those found, the expected number eligible and then anticoagulated."""
    strokes_by_score: Mapping[int, float] = field(default_factory=dict)
    heart_attacks_prevented_per_year: float | None = None
    """None when the model does not count heart attacks (the AF model)."""

    def to_dict(self) -> dict[str, object]:
        """JSON-ready; the first four keys are a contract (the CLI's --json)."""
        extra: dict[str, object] = {}
        if self.heart_attacks_prevented_per_year is not None:
            extra["heart_attacks_prevented_per_year"] = self.heart_attacks_prevented_per_year
        return {
            "strokes_prevented_per_year": self.strokes_prevented_per_year,
            "deaths_avoided_per_year": self.deaths_avoided_per_year,
            "savings_gbp_per_year": self.savings_gbp_per_year,
            "parameters_version": self.parameters_version,
            "savings_gbp_five_year": self.savings_gbp_five_year,
            "additional_treated": self.additional_treated,
            "additional_found": self.additional_found,
            "newly_found_treated": self.newly_found_treated,
            **extra,
        }

    def __add__(self, other: ImpactResult) -> ImpactResult:
        if other.parameters_version != self.parameters_version:
            raise ValueError(
                f"cannot add impacts from parameter versions {self.parameters_version!r} "
                f"and {other.parameters_version!r}"
            )
        scores = sorted(set(self.strokes_by_score) | set(other.strokes_by_score))
        return ImpactResult(
            strokes_prevented_per_year=self.strokes_prevented_per_year
            + other.strokes_prevented_per_year,
            deaths_avoided_per_year=self.deaths_avoided_per_year + other.deaths_avoided_per_year,
            savings_gbp_per_year=self.savings_gbp_per_year + other.savings_gbp_per_year,
            savings_gbp_five_year=self.savings_gbp_five_year + other.savings_gbp_five_year,
            parameters_version=self.parameters_version,
            additional_treated=self.additional_treated + other.additional_treated,
            additional_found=self.additional_found + other.additional_found,
            newly_found_treated=self.newly_found_treated + other.newly_found_treated,
            strokes_by_score={
                s: self.strokes_by_score.get(s, 0.0) + other.strokes_by_score.get(s, 0.0)
                for s in scores
            },
            heart_attacks_prevented_per_year=_add_optional(
                self.heart_attacks_prevented_per_year, other.heart_attacks_prevented_per_year
            ),
        )

    @classmethod
    def total(cls, results: Sequence[ImpactResult]) -> ImpactResult | None:
        """`results[0] + results[1] + ...` (None for none), added field by field in that order,
        so the same floating-point sums, without a result object for every partial sum (a
        roll-up of England's 6,720 practices made 35,000 of them)."""
        if not results:
            return None
        first = results[0]
        if any(r.parameters_version != first.parameters_version for r in results):
            versions = sorted({r.parameters_version for r in results})
            raise ValueError(f"cannot add impacts from parameter versions {versions}")
        strokes, deaths = first.strokes_prevented_per_year, first.deaths_avoided_per_year
        savings, five_year = first.savings_gbp_per_year, first.savings_gbp_five_year
        treated, found = first.additional_treated, first.additional_found
        newly, heart = first.newly_found_treated, first.heart_attacks_prevented_per_year
        by_score = dict(first.strokes_by_score)
        for r in results[1:]:
            strokes += r.strokes_prevented_per_year
            deaths += r.deaths_avoided_per_year
            savings += r.savings_gbp_per_year
            five_year += r.savings_gbp_five_year
            treated += r.additional_treated
            found += r.additional_found
            newly += r.newly_found_treated
            heart = _add_optional(heart, r.heart_attacks_prevented_per_year)
            for score, strokes_at in r.strokes_by_score.items():
                by_score[score] = by_score.get(score, 0.0) + strokes_at
        return cls(
            strokes_prevented_per_year=strokes,
            deaths_avoided_per_year=deaths,
            savings_gbp_per_year=savings,
            savings_gbp_five_year=five_year,
            parameters_version=first.parameters_version,
            additional_treated=treated,
            additional_found=found,
            newly_found_treated=newly,
            strokes_by_score=dict(sorted(by_score.items())),
            heart_attacks_prevented_per_year=heart,
        )




class ImpactEstimator(Protocol):
    """What targeting and outputs need from any impact model kind (`impact_model_for`)."""

    @property
    def parameters_version(self) -> str: ...

    @property
    def eligible_share_of_found(self) -> float: ...

    def for_additional(
        self,
        additional_treated: float,
        additional_found: float,
        ambition: Ambition,
    ) -> ImpactResult: ...

    def for_practice(
        self, counts: PracticeCounts, gap: Gap, ambition: Ambition
    ) -> ImpactResult: ...




def found_treated_share(own: float | None, ambition: Ambition) -> float:
    """A model's own share of newly found patients treated, else the ambition's.

    The ambition in force is always given (resolved from the programme's own defaults), so a
    programme never borrows another's treat ambition.
    """
    return ambition.treated_share_of_found if own is None else own


def check_additional(additional_treated: float, additional_found: float) -> None:
    """Refuses negative patient numbers: every model counts people treated or found."""
    for name, value in (
        ("additional_treated", additional_treated),
        ("additional_found", additional_found),
    ):
        if value < 0:
            raise ImpactError(f"{name} must be 0 or more, got {value}")


def _add_optional(a: float | None, b: float | None) -> float | None:
    if a is None and b is None:
        return None
    return (a or 0.0) + (b or 0.0)

