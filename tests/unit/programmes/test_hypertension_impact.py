"""The blood-pressure-lowering impact model, checked by hand on small parameter sets."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pytest

from joinedup.domain.ambitions import Ambition, Gap
from joinedup.domain.extensions import IMPACT_MODELS
from joinedup.domain.impact import ImpactError, ImpactResult
from joinedup.domain.impact import impact_model as impact_model_for
from joinedup.domain.impact.blood_pressure import BloodPressureModel as BloodPressureImpactModel
from joinedup.domain.impact.stroke_risk import StrokeRiskModel as ImpactModel
from joinedup.domain.measures import PracticeCounts
from joinedup.domain.parameters import ParameterError, ParameterSet
from joinedup.programmes import load_parameters, load_programme

AF_2029 = Ambition(detect=0.85, treat=0.90)
HYP_2029 = Ambition(detect=0.80, treat=0.80)
"""The programmes' own default ambitions (each programme's programme.toml)."""


def impact_of(additional_treated: int, additional_found: int = 0) -> ImpactResult:
    """The packaged AF model's impact at AF's own ambition."""
    model = ImpactModel.from_parameters(load_parameters(load_programme("af")))
    return model.for_additional(additional_treated, additional_found, AF_2029)


HAND = {
    "systolic_reduction_mmhg": "10",
    "stroke_relative_risk_per_10mmhg": "0.75",
    "chd_relative_risk_per_10mmhg": "0.8",
    "annual_stroke_risk_uncontrolled": "0.01",
    "annual_stroke_risk_undiagnosed": "0.005",
    "annual_heart_attack_risk_uncontrolled": "0.02",
    "annual_heart_attack_risk_undiagnosed": "0.01",
    "deaths_per_stroke_prevented": "0.2",
    "deaths_per_heart_attack_prevented": "0.3",
    "cost_per_stroke_year_one_gbp": "10000",
    "cost_per_stroke_five_year_gbp": "20000",
    "cost_per_heart_attack_year_one_gbp": "5000",
    "cost_per_heart_attack_five_year_gbp": "6000",
    "eligible_share_of_found": "1",
    "treated_share_of_found": "0.5",
}


def _set(tmp_path: Path, **changes: str) -> ParameterSet:
    values = {**HAND, **changes}
    (tmp_path / "manifest.toml").write_text('name = "hand"\nversion = "t1"\n')
    lines = ["parameter,value,unit,source,note"] + [
        f"{k},{v},x,hand-made test figure," for k, v in values.items()
    ]
    (tmp_path / "impact.csv").write_text("\n".join(lines) + "\n")
    return ParameterSet.from_dir(tmp_path)


def test_a_10_mmhg_fall_multiplies_risk_by_the_relative_risk(tmp_path: Path) -> None:
    model = impact_model_for("blood_pressure_lowering", _set(tmp_path))
    result = model.for_additional(100, 40, HYP_2029)
    # Found and treated: 40 x 1 x 0.5 = 20.
    # Strokes: (1 - 0.75) x (100 x 0.01 + 20 x 0.005) = 0.25 x 1.1 = 0.275
    # Heart attacks: (1 - 0.8) x (100 x 0.02 + 20 x 0.01) = 0.2 x 2.2 = 0.44
    assert result.newly_found_treated == pytest.approx(20)
    assert result.strokes_prevented_per_year == pytest.approx(0.275)
    assert result.heart_attacks_prevented_per_year == pytest.approx(0.44)
    assert result.deaths_avoided_per_year == pytest.approx(0.275 * 0.2 + 0.44 * 0.3)  # 0.187
    assert result.savings_gbp_per_year == pytest.approx(2750 + 2200)
    assert result.savings_gbp_five_year == pytest.approx(5500 + 2640)
    assert result.parameters_version == "t1"
    assert result.strokes_by_score == {}


def test_the_reduction_scales_log_linearly_with_millimetres(tmp_path: Path) -> None:
    model = BloodPressureImpactModel.from_parameters(_set(tmp_path, systolic_reduction_mmhg="20"))
    assert model.risk_reduction(0.75) == pytest.approx(1 - 0.75**2)  # 0.4375
    result = model.for_additional(100, 0, HYP_2029)
    assert result.strokes_prevented_per_year == pytest.approx(100 * 0.01 * 0.4375)
    assert result.heart_attacks_prevented_per_year == pytest.approx(100 * 0.02 * 0.36)


def test_found_patients_follow_the_ambition_when_impact_csv_says_so(tmp_path: Path) -> None:
    model = impact_model_for(
        "blood_pressure_lowering", _set(tmp_path, treated_share_of_found="ambition")
    )
    result = model.for_additional(0, 10, Ambition(detect=0.8, treat=0.8))
    assert result.newly_found_treated == pytest.approx(8)
    assert result.strokes_prevented_per_year == pytest.approx(0.25 * 8 * 0.005)


def test_for_practice_uses_the_gap_and_counts_unknowns_as_zero(tmp_path: Path) -> None:
    model = impact_model_for("blood_pressure_lowering", _set(tmp_path))
    counts = PracticeCounts(
        date(2025, 3, 31), "hypertension", "P1", "P", None, None, None, None,
        list_size=1000, expected=200.0, recorded=120, eligible=120, treated=60, exceptions=0,
    )  # fmt: skip
    both = model.for_practice(counts, Gap(to_find=40, to_treat=100), HYP_2029)
    assert both.strokes_prevented_per_year == pytest.approx(0.275)
    only_found = model.for_practice(
        counts, Gap(to_find=40, to_treat=None, note="unknown"), HYP_2029
    )
    assert only_found.strokes_prevented_per_year == pytest.approx(0.25 * 20 * 0.005)


def test_the_shipped_figures_by_hand() -> None:
    hyp = load_programme("hypertension")
    model = impact_model_for(hyp.impact_model, load_parameters(hyp))
    result = model.for_additional(1000, 0, HYP_2029)
    # 0.73 ** 0.91 = exp(0.91 x ln 0.73) = 0.75098; 1000 x 0.00705 x 0.24902 = 1.7556 strokes.
    assert result.strokes_prevented_per_year == pytest.approx(1.7556, rel=1e-4)
    # 0.83 ** 0.91 = 0.84404; 1000 x 0.00754 x 0.15596 = 1.1759 heart attacks.
    assert result.heart_attacks_prevented_per_year == pytest.approx(1.1759, rel=1e-4)
    assert result.deaths_avoided_per_year == pytest.approx(1.7556 * 0.141 + 1.1759 * 0.314, 1e-3)
    assert result.savings_gbp_per_year == pytest.approx(1.7556 * 22175 + 1.1759 * 4530, 1e-3)


def test_heart_attacks_add_up_and_appear_in_the_json_only_when_modelled(tmp_path: Path) -> None:
    model = impact_model_for("blood_pressure_lowering", _set(tmp_path))
    total = model.for_additional(100, 0, HYP_2029) + model.for_additional(0, 40, HYP_2029)
    assert total.heart_attacks_prevented_per_year == pytest.approx(0.4 + 0.2 * 20 * 0.01)
    assert list(total.to_dict())[:4] == [
        "strokes_prevented_per_year",
        "deaths_avoided_per_year",
        "savings_gbp_per_year",
        "parameters_version",
    ]
    assert "heart_attacks_prevented_per_year" in total.to_dict()
    af = impact_of(100)
    assert af.heart_attacks_prevented_per_year is None
    assert "heart_attacks_prevented_per_year" not in af.to_dict()
    mixed = ImpactResult(1, 0, 0, 0, "t1") + ImpactResult(1, 0, 0, 0, "t1", 0, 0, 0, {}, 2.0)
    assert mixed.heart_attacks_prevented_per_year == 2.0


def test_the_default_kind_is_the_af_model_unchanged() -> None:
    af = load_programme("af")
    assert af.impact_model == IMPACT_MODELS.default == "stroke_risk_by_score"
    model = impact_model_for(af.impact_model, load_parameters(af))
    assert isinstance(model, ImpactModel)
    assert model.for_additional(100, 40, AF_2029).to_dict() == impact_of(100, 40).to_dict()


def test_every_declared_kind_has_a_model_and_others_are_refused(tmp_path: Path) -> None:
    hyp_params = load_parameters(load_programme("hypertension"))
    af_params = load_parameters(load_programme("af"))
    for kind in IMPACT_MODELS.names():
        params = hyp_params if kind == "blood_pressure_lowering" else af_params
        result = impact_model_for(kind, params).for_additional(10, 0, HYP_2029)
        assert math.isfinite(result.strokes_prevented_per_year)
        assert result.strokes_prevented_per_year > 0
    with pytest.raises(ImpactError, match="unknown impact model 'qaly'"):
        impact_model_for("qaly", hyp_params)
    # The wrong parameter set for a kind names the missing table or row.
    with pytest.raises(ParameterError, match="stroke_risk"):
        impact_model_for("stroke_risk_by_score", hyp_params)
    with pytest.raises(ParameterError, match="stroke_relative_risk_per_10mmhg', found 0"):
        impact_model_for("blood_pressure_lowering", af_params)


def test_bad_values_are_refused_naming_the_row(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match=r"stroke_relative_risk_per_10mmhg.*\[0, 1\]"):
        impact_model_for(
            "blood_pressure_lowering", _set(tmp_path, stroke_relative_risk_per_10mmhg="1.3")
        )
    model = impact_model_for("blood_pressure_lowering", _set(tmp_path))
    with pytest.raises(ImpactError, match="additional_found must be 0 or more"):
        model.for_additional(1, -1, HYP_2029)
