"""The size of the prize: strokes prevented, deaths avoided and money saved a year.

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

That is the default model kind, "stroke_risk_by_score". A programme may declare another in
programme.toml (`[parameters] impact_model`); `impact_model_for` returns the model for a kind.
Hypertension's "blood_pressure_lowering" (`BloodPressureImpactModel`) counts strokes and heart
attacks prevented from per-10-mmHg relative risks. Both return an `ImpactResult`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from joinedup.domain.ambitions import Ambition, Gap
from joinedup.domain.measures import PracticeCounts
from joinedup.domain.parameters import ParameterError, ParameterSet, ParameterTable
from joinedup.domain.programme import IMPACT_MODELS

STROKE_RISK = "stroke_risk"
IMPACT = "impact"
RISK_DISTRIBUTION = "risk_distribution"
SCORE_COLUMN = "cha2ds2vasc"
AMBITION_SENTINEL = "ambition"
"""impact.csv value meaning "use the treat ambition in force" (treated_share_of_found)."""

_SHARE_TOLERANCE = 0.001


class ImpactError(ValueError):
    """Input the impact model cannot use (a negative count, a risk score with no stroke risk)."""


def packaged_parameters(programme: str = "af", overrides: Path | str | None = None) -> ParameterSet:
    """The parameter set of a packaged programme, with any user override folder applied.

    Delegates to `joinedup.programmes` (imported here, not at module level, so the domain does
    not depend on the packaged data unless a caller asks for the defaults).
    """
    from joinedup.programmes import load_parameters, load_programme

    return load_parameters(load_programme(programme), overrides)


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


@dataclass(frozen=True)
class ImpactModel:
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
    def from_parameters(cls, parameters: ParameterSet) -> ImpactModel:
        risk = _score_table(parameters[STROKE_RISK], "annual_stroke_risk")
        distribution = _score_table(parameters[RISK_DISTRIBUTION], "share")
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
        treated_share = _treated_share_of_found(impact)  # checked first, as it always was
        return cls(
            stroke_risk=risk,
            risk_distribution={s: v / total for s, v in distribution.items()},
            relative_risk_reduction=_parameter(impact, "relative_risk_reduction", upper=1.0),
            deaths_per_stroke_prevented=_parameter(
                impact, "deaths_per_stroke_prevented", upper=1.0
            ),
            cost_per_stroke_year_one_gbp=_parameter(impact, "cost_per_stroke_year_one_gbp"),
            cost_per_stroke_five_year_gbp=_parameter(impact, "cost_per_stroke_five_year_gbp"),
            eligible_share_of_found=_parameter(impact, "eligible_share_of_found", upper=1.0),
            treated_share_of_found=treated_share,
            parameters_version=parameters.version,
        )

    def found_treated_share(self, ambition: Ambition | None) -> float:
        """Share of newly found eligible patients assumed treated."""
        return _found_treated_share(self.treated_share_of_found, ambition)

    def result(
        self,
        existing_by_score: Mapping[int, float],
        found: float,
        ambition: Ambition | None,
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
        additional_found: float = 0,
        ambition: Ambition | None = None,
    ) -> ImpactResult:
        """Impact of treating and finding these numbers of patients, spread by the distribution."""
        _check_additional(additional_treated, additional_found)
        existing = {s: additional_treated * share for s, share in self.risk_distribution.items()}
        return self.result(existing, float(additional_found), ambition)

    def for_practice(
        self, counts: PracticeCounts, gap: Gap, ambition: Ambition | None = None
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


def impact_of(
    additional_treated: int,
    additional_found: int = 0,
    parameters: ParameterSet | None = None,
    ambition: Ambition | None = None,
) -> ImpactResult:
    """Strokes, deaths and money a year from anticoagulating and finding these many patients.

    `parameters` defaults to the AF set shipped with joinedup; `ambition` sets the share of
    newly found eligible patients treated when impact.csv leaves it to the ambition.
    """
    model = ImpactModel.from_parameters(parameters or packaged_parameters("af"))
    return model.for_additional(additional_treated, additional_found, ambition)


class ImpactEstimator(Protocol):
    """What targeting and outputs need from any impact model kind (`impact_model_for`)."""

    @property
    def parameters_version(self) -> str: ...

    @property
    def eligible_share_of_found(self) -> float: ...

    def for_additional(
        self,
        additional_treated: float,
        additional_found: float = 0,
        ambition: Ambition | None = None,
    ) -> ImpactResult: ...

    def for_practice(
        self, counts: PracticeCounts, gap: Gap, ambition: Ambition | None = None
    ) -> ImpactResult: ...


@dataclass(frozen=True)
class BloodPressureImpactModel:
    """Strokes and heart attacks prevented by lowering blood pressure ("blood_pressure_lowering").

    Ettehad et al. (Lancet 2016) give relative risks per 10 mmHg of systolic reduction; a patient
    newly treated to target is assumed to gain `systolic_reduction_mmhg`, so each event's risk is
    multiplied by RR ** (reduction / 10) (the meta-analysis found proportional reductions at every
    starting pressure, hence the log-linear scale):

        strokes a year       = Σ patients × annual stroke risk × (1 − RR_stroke ** (Δ / 10))
        heart attacks a year = Σ patients × annual MI risk     × (1 − RR_CHD ** (Δ / 10))
        deaths               = strokes × deaths per stroke + heart attacks × deaths per MI
        savings (£)          = strokes × cost per stroke + heart attacks × cost per MI

    Known patients brought to target (a practice's to_treat) carry the risks of treated but
    uncontrolled hypertension; newly found patients (to_find × eligible share × share then
    treated) the lower risks of undiagnosed, untreated hypertension. docs/programmes.md
    ("Hypertension") and the programme's impact.csv give every figure and its source.
    """

    systolic_reduction_mmhg: float
    stroke_relative_risk_per_10mmhg: float
    chd_relative_risk_per_10mmhg: float
    annual_stroke_risk_uncontrolled: float
    annual_stroke_risk_undiagnosed: float
    annual_heart_attack_risk_uncontrolled: float
    annual_heart_attack_risk_undiagnosed: float
    deaths_per_stroke_prevented: float
    deaths_per_heart_attack_prevented: float
    cost_per_stroke_year_one_gbp: float
    cost_per_stroke_five_year_gbp: float
    cost_per_heart_attack_year_one_gbp: float
    cost_per_heart_attack_five_year_gbp: float
    eligible_share_of_found: float
    treated_share_of_found: float | None
    """None: use the ambition's (the shipped default)."""
    parameters_version: str

    @classmethod
    def from_parameters(cls, parameters: ParameterSet) -> BloodPressureImpactModel:
        impact = parameters[IMPACT]
        shares = (
            "stroke_relative_risk_per_10mmhg",
            "chd_relative_risk_per_10mmhg",
            "annual_stroke_risk_uncontrolled",
            "annual_stroke_risk_undiagnosed",
            "annual_heart_attack_risk_uncontrolled",
            "annual_heart_attack_risk_undiagnosed",
            "deaths_per_stroke_prevented",
            "deaths_per_heart_attack_prevented",
            "eligible_share_of_found",
        )
        amounts = (
            "systolic_reduction_mmhg",
            "cost_per_stroke_year_one_gbp",
            "cost_per_stroke_five_year_gbp",
            "cost_per_heart_attack_year_one_gbp",
            "cost_per_heart_attack_five_year_gbp",
        )
        values = {name: _parameter(impact, name, upper=1.0) for name in shares}
        values.update({name: _parameter(impact, name) for name in amounts})
        treated_share = _treated_share_of_found(impact)
        return cls(
            **values,
            treated_share_of_found=treated_share,
            parameters_version=parameters.version,
        )

    def risk_reduction(self, relative_risk_per_10mmhg: float) -> float:
        """The share of events prevented by the assumed systolic reduction."""
        return 1.0 - relative_risk_per_10mmhg ** (self.systolic_reduction_mmhg / 10.0)

    def found_treated_share(self, ambition: Ambition | None) -> float:
        """Share of newly found patients assumed treated to target."""
        return _found_treated_share(self.treated_share_of_found, ambition)

    def for_additional(
        self,
        additional_treated: float,
        additional_found: float = 0,
        ambition: Ambition | None = None,
    ) -> ImpactResult:
        """Impact of bringing these known patients to target and finding these many more."""
        _check_additional(additional_treated, additional_found)
        found_treated = (
            additional_found * self.eligible_share_of_found * self.found_treated_share(ambition)
        )
        stroke_cut = self.risk_reduction(self.stroke_relative_risk_per_10mmhg)
        heart_cut = self.risk_reduction(self.chd_relative_risk_per_10mmhg)
        strokes = stroke_cut * (
            additional_treated * self.annual_stroke_risk_uncontrolled
            + found_treated * self.annual_stroke_risk_undiagnosed
        )
        heart_attacks = heart_cut * (
            additional_treated * self.annual_heart_attack_risk_uncontrolled
            + found_treated * self.annual_heart_attack_risk_undiagnosed
        )
        return ImpactResult(
            strokes_prevented_per_year=strokes,
            deaths_avoided_per_year=strokes * self.deaths_per_stroke_prevented
            + heart_attacks * self.deaths_per_heart_attack_prevented,
            savings_gbp_per_year=strokes * self.cost_per_stroke_year_one_gbp
            + heart_attacks * self.cost_per_heart_attack_year_one_gbp,
            savings_gbp_five_year=strokes * self.cost_per_stroke_five_year_gbp
            + heart_attacks * self.cost_per_heart_attack_five_year_gbp,
            parameters_version=self.parameters_version,
            additional_treated=float(additional_treated),
            additional_found=float(additional_found),
            newly_found_treated=found_treated,
            heart_attacks_prevented_per_year=heart_attacks,
        )

    def for_practice(
        self, counts: PracticeCounts, gap: Gap, ambition: Ambition | None = None
    ) -> ImpactResult:
        """Impact if this practice closes its gap; an unknown to_treat or to_find counts as 0."""
        return self.for_additional(float(gap.to_treat or 0), float(gap.to_find or 0), ambition)


def impact_model_for(kind: str, parameters: ParameterSet) -> ImpactEstimator:
    """The impact model a programme declares (programme.toml `[parameters] impact_model`).

    "stroke_risk_by_score" (the default, AF) reads stroke_risk, risk_distribution and impact
    tables; "blood_pressure_lowering" (hypertension) reads an impact table of per-10-mmHg
    relative risks, baseline risks and costs.
    """
    if kind == IMPACT_MODELS[0]:
        return ImpactModel.from_parameters(parameters)
    if kind == "blood_pressure_lowering":
        return BloodPressureImpactModel.from_parameters(parameters)
    raise ImpactError(f"unknown impact model {kind!r}; expected one of {IMPACT_MODELS}")


def _treated_share_of_found(impact: ParameterTable) -> float | None:
    """The parameter as a share, or None where it says to take the ambition's share."""
    if _parameter_raw(impact, "treated_share_of_found").lower() == AMBITION_SENTINEL:
        return None
    return _parameter(impact, "treated_share_of_found", upper=1.0)


def _found_treated_share(own: float | None, ambition: Ambition | None) -> float:
    """A model's own share of newly found patients treated, else the ambition's (or default)."""
    if own is not None:
        return own
    return (ambition or Ambition()).treated_share_of_found


def _check_additional(additional_treated: float, additional_found: float) -> None:
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


def _score_table(table: ParameterTable, column: str) -> dict[int, float]:
    """score -> value, with each value a number in [0, 1] and each score a unique integer."""
    values: dict[int, float] = {}
    for index, row in enumerate(table.rows):
        raw = row.get(SCORE_COLUMN, "")
        try:
            score = int(raw)
        except ValueError:
            raise ParameterError(
                f"{table.path}: row {index + 1}, column {SCORE_COLUMN!r}: {raw!r} is not a "
                "whole score"
            ) from None
        if score in values:
            raise ParameterError(f"{table.path}: row {index + 1}: score {score} given twice")
        value = table.float_at(index, column)
        if not 0 <= value <= 1:
            raise ParameterError(
                f"{table.path}: row {index + 1}, column {column!r}: {value} is not in [0, 1]"
            )
        values[score] = value
    return values


def _parameter_index(table: ParameterTable, name: str) -> int:
    found = [i for i, r in enumerate(table.rows) if r.get("parameter") == name]
    if len(found) != 1:
        raise ParameterError(
            f"{table.path}: expected one row with parameter {name!r}, found {len(found)}"
        )
    return found[0]


def _parameter_raw(table: ParameterTable, name: str) -> str:
    return table.rows[_parameter_index(table, name)].get("value", "")


def _parameter(table: ParameterTable, name: str, upper: float | None = None) -> float:
    index = _parameter_index(table, name)
    value = table.float_at(index, "value")
    if value < 0 or (upper is not None and value > upper):
        bound = f"in [0, {upper:g}]" if upper is not None else "0 or more"
        raise ParameterError(
            f"{table.path}: row {index + 1} ({name}), column 'value': {value:g} must be {bound}"
        )
    return value
