"""The practice measure table's counts: expected prevalence by hand, IMD, hierarchy, risk."""

from __future__ import annotations

from pathlib import Path

import pytest
from spec_support import REF, Spec, event, med, patient, scored

from joinedup.domain.parameters import ParameterSet

SOURCE = "hand-made for this spec"


def tiny_parameters(tmp_path: Path) -> ParameterSet:
    """Two bands per sex, so the expected count can be worked out by hand."""
    (tmp_path / "manifest.toml").write_text('name = "af"\nversion = "test"\n')
    (tmp_path / "af_prevalence.csv").write_text(
        "age_from,age_to,sex,prevalence,source\n"
        f"0,64,M,0.01,{SOURCE}\n65,,M,0.1,{SOURCE}\n"
        f"0,64,F,0.02,{SOURCE}\n65,,F,0.2,{SOURCE}\n"
    )
    return ParameterSet.from_dir(tmp_path)


def test_expected_is_the_sum_of_each_registered_patients_band_rate(engine, tmp_path):
    spec = Spec(
        engine,
        patients=[
            patient(1, born="1960-04-01", sex="M"),  # 64 -> 0.01
            patient(2, born="1960-03-31", sex="M"),  # 65 -> 0.1
            patient(3, born="1930-01-01", sex="F"),  # 95 -> 0.2 (open band)
            patient(4, born="2020-01-01", sex="F"),  # 5 -> 0.02
            patient(5, born="1930-01-01", sex="F", died="2024-01-01"),  # dead: not counted
            patient(6, born="1930-01-01", sex="F", practice="P2"),  # other practice: 0.2
        ],
    )
    counts = spec.counts(parameters=tiny_parameters(tmp_path))
    assert counts["P1"].expected == pytest.approx(0.01 + 0.1 + 0.2 + 0.02)
    assert counts["P1"].list_size == 4
    assert counts["P2"].expected == pytest.approx(0.2)


def test_imd_quintile_is_the_practice_score_among_englands_practices_not_its_patients(engine):
    # A81001's registration-weighted IMD 2019 score is in England's most deprived fifth of
    # practices, A81002's in the second; their patients' own deciles (10, least deprived) do not
    # change that. P1 is not a practice England's table lists, so its quintile falls back on its
    # registered patients' mean decile: (1 + 4) / 2 = 2.5 -> 1 + floor((2.5 - 0.5) / 2) = 2
    # (docs/inequalities.md; before the fallback it was unknown).
    orgs = [
        {"org_code": "A81001", "name": "Densham", "org_type": "practice"},
        {"org_code": "A81002", "name": "Queens Park", "org_type": "practice"},
        {"org_code": "P1", "name": "Made up", "org_type": "practice"},
    ]
    spec = Spec(
        engine,
        organisations=orgs,
        patients=[
            patient(1, imd=10, practice="A81001"),
            patient(2, imd=10, practice="A81002"),
            patient(3, imd=1, practice="P1"),
            patient(4, imd=4, practice="P1"),
        ],
    )
    counts = spec.counts()
    assert {p: c.imd_quintile for p, c in counts.items()} == {"A81001": 1, "A81002": 2, "P1": 2}


def test_each_practice_carries_its_name_and_hierarchy(engine):
    spec = Spec(engine, patients=[patient(1), patient(2, practice="P3")])
    counts = spec.counts()
    p1, p3 = counts["P1"], counts["P3"]
    assert (p1.practice_name, p1.pcn_code, p1.sub_icb_code, p1.place_code, p1.ics_code) == (
        "First Practice",
        "PCN1",
        "SUB1",
        "PLACE1",
        "ICS1",
    )
    # P3's PCN hangs off the place: there is no sub-ICB level above it.
    assert (p3.pcn_code, p3.sub_icb_code, p3.place_code, p3.ics_code) == (
        "PCN2",
        None,
        "PLACE1",
        "ICS1",
    )
    assert (p1.period_end, p1.programme) == (REF, "af")


def test_a_practice_with_no_registered_patients_still_gets_a_row_of_zeros(engine):
    counts = Spec(engine, patients=[patient(1)]).counts()
    assert sorted(counts) == ["P1", "P2", "P3"]
    p2 = counts["P2"]
    assert (p2.list_size, p2.expected, p2.recorded, p2.eligible, p2.treated) == (0, 0, 0, 0, 0)
    assert (p2.imd_quintile, p2.risk_counts, p2.detection_rate) == (None, {}, None)


def test_risk_counts_break_eligible_and_treated_down_by_score(engine):
    spec = Spec(
        engine,
        patients=[
            patient(1, born="1955-01-01", sex="F"),  # score 2, treated
            patient(2, born="1955-01-01", sex="F"),  # score 2, untreated
            patient(3, born="1940-01-01", sex="F"),  # score 3, treated
            patient(4, born="1980-01-01", sex="M"),  # score 0: on the register, not eligible
            patient(5, born="1940-01-01", sex="F"),  # score 3 but no AF: not counted
        ],
        events=[event(p, "2020-01-01", "af") for p in (1, 2, 3, 4)]
        + [scored(1, 2), scored(2, 2), scored(3, 3), scored(4, 0), scored(5, 3)]
        + [event(3, "2015-01-01", "doac_unsuitable")],  # AF008: p3's VKA needs a reason
        medications=[med(1, "2025-03-01", "doac"), med(3, "2025-03-01", "vka")],
    )
    p1 = spec.counts()["P1"]
    assert p1.risk_counts == {2: (2, 1), 3: (1, 1)}
    assert (p1.list_size, p1.recorded, p1.eligible, p1.treated, p1.exceptions) == (5, 4, 3, 2, 0)
    assert p1.treatment_rate == pytest.approx(2 / 3)
