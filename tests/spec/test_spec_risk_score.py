"""CHA2DS2-VASc as the AF definition declares it: each component, the age edges, the total."""

from __future__ import annotations

import pytest
from spec_support import Spec, event, patient

COMPONENTS = ("c", "h", "a2", "d", "s2", "v", "a", "sc")


def risk(flags: dict, pid: int) -> dict[str, bool]:
    return {k: flags[pid][f"risk_{k}"] for k in COMPONENTS if flags[pid][f"risk_{k}"]}


@pytest.mark.parametrize(
    ("codelist", "component", "points"),
    [
        ("heart_failure", "c", 1),
        ("hypertension", "h", 1),
        ("diabetes", "d", 1),
        ("stroke_tia_te", "s2", 2),
        ("vascular_disease", "v", 1),
    ],
)
def test_each_coded_component_scores_its_points(engine, codelist, component, points):
    # A man aged 54 scores nothing for age or sex, so the score is the component alone.
    spec = Spec(
        engine,
        patients=[patient(1), patient(2)],
        events=[event(1, "2010-05-01", codelist)],
    )
    flags = spec.flags()
    assert risk(flags, 1) == {component: True}
    assert flags[1]["risk_score"] == points
    assert risk(flags, 2) == {}
    assert flags[2]["risk_score"] == 0


def test_female_sex_scores_one(engine):
    spec = Spec(engine, patients=[patient(1, sex="F"), patient(2, sex="M")])
    flags = spec.flags()
    assert (flags[1]["risk_sc"], flags[1]["risk_score"]) == (True, 1)
    assert (flags[2]["risk_sc"], flags[2]["risk_score"]) == (False, 0)


@pytest.mark.parametrize(
    ("born", "age", "expected", "score"),
    [
        # Reference date 2025-03-31: a birthday on the date counts (age goes up that day).
        ("1960-04-01", 64, {}, 0),
        ("1960-03-31", 65, {"a": True}, 1),
        ("1950-04-01", 74, {"a": True}, 1),
        ("1950-03-31", 75, {"a2": True}, 2),
        ("1930-01-01", 95, {"a2": True}, 2),
    ],
)
def test_age_components_change_on_the_birthday(engine, born, age, expected, score):
    spec = Spec(engine, patients=[patient(1, born=born)])
    flags = spec.flags()
    assert flags[1]["age"] == age
    assert risk(flags, 1) == expected
    assert flags[1]["risk_score"] == score


def test_components_add_up_to_the_maximum_of_nine(engine):
    codes = ["heart_failure", "hypertension", "diabetes", "stroke_tia_te", "vascular_disease"]
    spec = Spec(
        engine,
        patients=[patient(1, born="1940-01-01", sex="F")],
        events=[event(1, "2015-01-01", c) for c in codes],
    )
    flags = spec.flags()
    assert risk(flags, 1) == {k: True for k in ("c", "h", "a2", "d", "s2", "v", "sc")}
    assert flags[1]["risk_score"] == 9


def test_a_condition_coded_after_the_reference_date_does_not_score(engine):
    spec = Spec(
        engine,
        patients=[patient(1), patient(2)],
        events=[event(1, "2025-04-01", "heart_failure"), event(2, "2025-03-31", "heart_failure")],
    )
    assert spec.column("risk_score") == {1: 0, 2: 1}


def test_an_old_code_still_scores_ever_coded_means_any_time_before(engine):
    spec = Spec(engine, patients=[patient(1)], events=[event(1, "1990-01-01", "diabetes")])
    assert spec.column("risk_d") == {1: True}


def test_age_on_a_29_february_birthday_goes_up_on_1_march(engine):
    from datetime import date

    spec = Spec(engine, patients=[patient(1, born="2000-02-29")])
    assert spec.column("age", ref=date(2025, 2, 28)) == {1: 24}
    assert spec.column("age", ref=date(2025, 3, 1)) == {1: 25}
    assert spec.column("age", ref=date(2024, 2, 29)) == {1: 24}


def test_the_declared_maximum_is_nine_because_the_age_components_are_exclusive():
    # CHA2DS2-VASc: C1 + H1 + A2 + D1 + S2 + V1 + Sc1 = 9; "age 65-74" (1) and "age 75 or over"
    # (2) share the group "age", so only the larger counts towards the maximum (not 2 + 1).
    from spec_support import AF

    assert AF.risk_score is not None
    assert AF.risk_score.max_score == 1 + 1 + 2 + 1 + 2 + 1 + 1


def test_overlapping_components_of_one_group_score_only_the_larger(engine):
    # A definition whose age bands overlap at 70-74: a 72-year-old meets both, yet a group
    # scores the larger of its members' points (2), never their sum (3).
    from spec_support import MINIMAL, definition

    programme = definition(
        MINIMAL
        + """
[register]
codelist = "af"
[risk_score]
name = "overlap"
[[risk_score.components]]
key = "old"
points = 1
group = "age"
when = { age_from = 65 }
[[risk_score.components]]
key = "older"
points = 2
group = "age"
when = { age_from = 70 }
[eligibility]
score_at_least = 1
[treated]
when = { coded = "doac", within_months = 6 }
"""
    )
    assert programme.risk_score is not None and programme.risk_score.max_score == 2
    spec = Spec(
        engine,
        patients=[patient(1, born="1952-06-15"), patient(2, born="1958-06-15")],
        programme=programme,
    )
    assert spec.column("risk_score") == {1: 2, 2: 1}
