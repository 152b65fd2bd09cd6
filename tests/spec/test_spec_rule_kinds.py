"""Rule kinds the AF definition does not use, declared inline: the engine has no per-programme
branch, so a hypertension-shaped programme is only a different definition."""

from __future__ import annotations

from datetime import date

from spec_support import AF, MINIMAL, Spec, definition, event, med, patient

from joinedup.programmes import load_parameters

# "Treated" for hypertension: latest BP in 12 months <= 140/90 under 80, <= 150/90 at 80 and over.
HYPERTENSION = (
    MINIMAL.replace('name = "demo"', 'name = "hyp"')
    + """
[register]
codelist = "hypertension"
resolved_by = "hypertension_resolved"

[eligibility]
all_on_register = true

[treated]
description = "Blood pressure to target"
when = { any = [
  { all = [
    { age_to = 79 },
    { latest_value = "systolic_bp", within_months = 12, at_most = 140 },
    { latest_value = "diastolic_bp", within_months = 12, at_most = 90 },
  ] },
  { all = [
    { age_from = 80 },
    { latest_value = "systolic_bp", within_months = 12, at_most = 150 },
    { latest_value = "diastolic_bp", within_months = 12, at_most = 90 },
  ] },
] }
"""
)


def bp(pid: int, day: str, systolic: float, diastolic: float) -> list[dict]:
    return [event(pid, day, "systolic_bp", systolic), event(pid, day, "diastolic_bp", diastolic)]


def test_a_blood_pressure_target_is_one_more_definition(engine):
    under80, over80 = "1960-01-01", "1940-01-01"
    spec = Spec(
        engine,
        programme=definition(HYPERTENSION),
        patients=[
            patient(1, born=under80),  # 138/88 -> to target
            patient(2, born=under80),  # 145/85 -> not (under 80)
            patient(3, born=over80),  # 145/85 -> to target (80 and over)
            patient(4, born=under80),  # high reading, then a later good one -> latest counts
            patient(5, born=under80),  # two readings on the latest day: the lowest counts
            patient(6, born=under80),  # good reading but 12 months ago exactly -> outside
            patient(7, born=under80),  # no reading -> not to target
            patient(8, born=under80),  # good reading after the date only -> not
        ],
        events=[event(p, "2010-01-01", "hypertension") for p in range(1, 9)]
        + bp(1, "2025-01-01", 138, 88)
        + bp(2, "2025-01-01", 145, 85)
        + bp(3, "2025-01-01", 145, 85)
        + bp(4, "2024-06-01", 170, 100)
        + bp(4, "2025-02-01", 130, 80)
        + bp(5, "2025-02-01", 160, 95)
        + bp(5, "2025-02-01", 135, 85)
        + bp(5, "2024-12-01", 120, 70)
        + bp(6, "2024-03-31", 120, 70)
        + bp(8, "2025-04-15", 120, 70),
    )
    flags = spec.flags()
    assert {p: r["treated"] for p, r in flags.items()} == {
        1: True,
        2: False,
        3: True,
        4: True,
        5: True,
        6: False,
        7: False,
        8: False,
    }
    # Everyone on the register is eligible; there is no risk score.
    assert all(r["eligible"] for r in flags.values())
    assert all(r["risk_score"] == 0 for r in flags.values())
    # (It borrows the AF prevalence table: expected is not what this spec is about.)
    p1 = spec.counts(parameters=load_parameters(AF))["P1"]
    assert (p1.recorded, p1.eligible, p1.treated, p1.risk_counts) == (8, 8, 4, {})


def test_a_register_minimum_age_and_a_flag_reference(engine):
    programme = definition(
        MINIMAL
        + """
[register]
codelist = "af"
min_age = 18

[eligibility]
all_on_register = true

[treated]
when = { coded = "doac", within_months = 3 }

[[casefinder]]
key = "treated_off_register"
label = "Treated but not on the register"
when = { all = [ { flag = "treated" }, { not = { flag = "on_register" } } ] }
"""
    )
    spec = Spec(
        engine,
        programme=programme,
        patients=[
            patient(1, born="2007-03-31"),  # 18 today -> on
            patient(2, born="2007-04-01"),  # 17 -> off despite the code
            patient(3),
        ],
        events=[event(p, "2024-01-01", "af") for p in (1, 2)],
        medications=[med(2, "2025-02-01", "doac"), med(3, "2024-12-31", "doac")],
    )
    assert spec.column("on_register") == {1: True, 2: False, 3: False}
    # 3 months before 31 March is 31 December: patient 3's issue is exactly on the edge, out.
    assert spec.column("treated") == {1: False, 2: True, 3: False}
    assert [r["patient_id"] for r in spec.casefinder()] == [2]
    assert spec.column("on_register", ref=date(2007, 3, 31)) == {1: False, 2: False, 3: False}


def test_a_score_component_may_depend_on_the_register(engine):
    programme = definition(
        MINIMAL
        + """
[register]
codelist = "af"

[risk_score]
name = "demo score"

[[risk_score.components]]
key = "known_hypertensive"
points = 3
when = { all = [ { flag = "on_register" }, { coded = "hypertension" } ] }

[eligibility]
score_at_least = 3

[treated]
when = { coded = "doac" }
"""
    )
    spec = Spec(
        engine,
        programme=programme,
        patients=[patient(1), patient(2), patient(3)],
        events=[
            event(1, "2020-01-01", "af"),
            event(1, "2020-01-01", "hypertension"),
            event(2, "2020-01-01", "hypertension"),  # not on the register: no points
            event(3, "2020-01-01", "af"),
        ],
    )
    assert spec.column("risk_score") == {1: 3, 2: 0, 3: 0}
    assert spec.column("eligible") == {1: True, 2: False, 3: False}
