"""Hypertension's impact model ("blood_pressure_lowering"): strokes and heart attacks prevented.

Why a module of its own: each impact model is one idea behind the `ImpactEstimator` protocol,
registered by kind in `domain.extensions`; a programme names its kind in programme.toml.
"""

from __future__ import annotations

from dataclasses import dataclass

from joinedup.domain.ambitions import Ambition, Gap
from joinedup.domain.impact.parameters import IMPACT, parameter, treated_share_of_found
from joinedup.domain.impact.result import ImpactResult, check_additional, found_treated_share
from joinedup.domain.measures import PracticeCounts
from joinedup.domain.parameters import ParameterSet


@dataclass(frozen=True)
class BloodPressureModel:
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
    def from_parameters(cls, parameters: ParameterSet) -> BloodPressureModel:
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
        values = {name: parameter(impact, name, upper=1.0) for name in shares}
        values.update({name: parameter(impact, name) for name in amounts})
        treated_share = treated_share_of_found(impact)
        return cls(
            **values,
            treated_share_of_found=treated_share,
            parameters_version=parameters.version,
        )

    def risk_reduction(self, relative_risk_per_10mmhg: float) -> float:
        """The share of events prevented by the assumed systolic reduction."""
        return 1.0 - relative_risk_per_10mmhg ** (self.systolic_reduction_mmhg / 10.0)

    def found_treated_share(self, ambition: Ambition) -> float:
        """Share of newly found patients assumed treated to target."""
        return found_treated_share(self.treated_share_of_found, ambition)

    def for_additional(
        self,
        additional_treated: float,
        additional_found: float,
        ambition: Ambition,
    ) -> ImpactResult:
        """Impact of bringing these known patients to target and finding these many more."""
        check_additional(additional_treated, additional_found)
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
        self, counts: PracticeCounts, gap: Gap, ambition: Ambition
    ) -> ImpactResult:
        """Impact if this practice closes its gap; an unknown to_treat or to_find counts as 0."""
        return self.for_additional(float(gap.to_treat or 0), float(gap.to_find or 0), ambition)
