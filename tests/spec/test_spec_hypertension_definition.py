"""The hypertension definition loads like any other, and a definition may name its impact model."""

from __future__ import annotations

from pathlib import Path

import pytest
from spec_support import MINIMAL, definition

from joinedup.domain.extensions import IMPACT_MODELS
from joinedup.domain.programme import LatestValue, ProgrammeError, walk
from joinedup.programmes import available_programmes, load_programme

REGISTER = """
[register]
codelist = "hypertension"
resolved_by = "hypertension_resolved"
[eligibility]
all_on_register = true
[treated]
when = { latest_value = "systolic_bp", within_months = 12, at_most = 140 }
"""


def test_hypertension_is_a_packaged_programme_with_no_risk_score():
    assert "hypertension" in available_programmes()
    hyp = load_programme("hypertension")
    assert hyp.risk_score is None and hyp.eligibility.score_at_least is None
    assert hyp.register.codelist == "hypertension"
    assert hyp.register.resolved_by == "hypertension_resolved"
    assert hyp.impact_model == "blood_pressure_lowering"
    assert (hyp.ambitions.detect, hyp.ambitions.treat) == (0.80, 0.80)
    assert [r.key for r in hyp.casefinder] == ["high_bp_no_diagnosis"]
    readings = {
        (c.codelist, c.at_most, c.at_least)
        for top in hyp.criteria()
        for c in walk(top)
        if isinstance(c, LatestValue)
    }
    assert readings == {
        ("systolic_bp", 140, None),
        ("diastolic_bp", 90, None),
        ("systolic_bp", 150, None),
        ("systolic_bp", None, 140),
        ("diastolic_bp", None, 90),
    }


def test_the_impact_model_defaults_to_stroke_risk_by_score():
    programme = definition(MINIMAL + REGISTER)
    assert programme.impact_model == IMPACT_MODELS.default == "stroke_risk_by_score"
    assert load_programme("af").impact_model == "stroke_risk_by_score"


def test_a_definition_may_declare_the_blood_pressure_model():
    text = MINIMAL.replace(
        'expected_prevalence = "af_prevalence"',
        'expected_prevalence = "af_prevalence"\nimpact_model = "blood_pressure_lowering"',
    )
    assert definition(text + REGISTER).impact_model == "blood_pressure_lowering"


def test_an_unknown_impact_model_is_refused_naming_file_and_key():
    text = MINIMAL.replace(
        'expected_prevalence = "af_prevalence"',
        'expected_prevalence = "af_prevalence"\nimpact_model = "qaly"',
    )
    with pytest.raises(ProgrammeError) as raised:
        definition(text + REGISTER, Path("mine/programme.toml"))
    message = str(raised.value)
    assert "mine/programme.toml: parameters.impact_model: 'qaly' is not one of" in message


def test_the_treat_to_target_ambition_cites_the_published_2029_ambition():
    # PHE / NHS England "Health matters: preventing cardiovascular disease" (2019): 80% of people
    # diagnosed with hypertension treated to the NICE target by 2029. The definition and the docs
    # must cite it, and no longer mark the figure unverified.
    source = load_programme("hypertension").source
    assert source is not None
    text = source.read_text(encoding="utf-8")
    treat_line = next(line for line in text.splitlines() if line.startswith("treat ="))
    assert "unverified" not in treat_line.lower()
    assert "Health matters: preventing cardiovascular disease" in text
    docs = Path(__file__).resolve().parents[2] / "docs" / "programmes.md"
    hypertension = docs.read_text(encoding="utf-8").split("## Hypertension", 1)[1]
    assert "unverified" not in hypertension.split("### Impact", 1)[0].lower()
    assert "Health matters: preventing cardiovascular disease" in hypertension
