"""The AF casefinder rules: who may have AF that is not yet diagnosed."""

from __future__ import annotations

from spec_support import Spec, event, med, patient

RULES = ("anticoagulant_no_af", "irregular_pulse_no_af", "hypertension_65_no_pulse_check")


def found(spec: Spec) -> dict[int, set[str]]:
    """{patient_id: the rules they meet}, for everyone the casefinder returns."""
    return {row["patient_id"]: {r for r in RULES if row[f"find_{r}"]} for row in spec.casefinder()}


def test_on_an_anticoagulant_with_no_af_code(engine):
    spec = Spec(
        engine,
        patients=[patient(i) for i in range(1, 5)],
        events=[event(2, "2018-01-01", "af"), event(3, "2018-01-01", "af")],
        medications=[
            med(1, "2025-01-10", "doac"),  # no AF code -> found
            med(2, "2025-01-10", "doac"),  # has AF -> not
            med(3, "2024-01-10", "vka"),  # has AF; old issue anyway -> not
            med(4, "2024-09-30", "vka"),  # exactly 6 months before: not "on" one -> not
        ],
    )
    assert found(spec) == {1: {"anticoagulant_no_af"}}


def test_irregular_pulse_with_no_diagnosis(engine):
    spec = Spec(
        engine,
        patients=[patient(i) for i in range(1, 5)],
        events=[
            event(1, "2023-05-01", "irregular_pulse"),  # -> found
            event(2, "2023-05-01", "irregular_pulse"),
            event(2, "2023-06-01", "af"),  # diagnosed since -> not
            event(3, "2025-04-02", "irregular_pulse"),  # after the date -> not
            event(4, "2023-05-01", "irregular_pulse"),
            event(4, "2023-05-20", "af"),
            event(4, "2024-01-01", "af_resolved"),  # had an AF code: not undiagnosed -> not
        ],
    )
    assert found(spec) == {1: {"irregular_pulse_no_af"}}


def test_aged_65_with_hypertension_and_no_pulse_check_in_12_months(engine):
    old = "1955-01-01"  # aged 70
    spec = Spec(
        engine,
        patients=[
            patient(1, born=old),  # hypertension, no pulse check -> found
            patient(2, born=old),  # pulse check 3 months ago -> not
            patient(3, born=old),  # pulse check exactly 12 months ago -> found
            patient(4, born="1960-04-01"),  # aged 64 -> not
            patient(5, born="1960-03-31"),  # 65 today -> found
            patient(6, born=old),  # hypertension resolved -> not
            patient(7, born=old),  # no hypertension -> not
            patient(8, born=old),  # has AF already -> not
        ],
        events=[event(p, "2015-01-01", "hypertension") for p in (1, 2, 3, 4, 5, 6, 8)]
        + [
            event(2, "2024-12-31", "pulse_check"),
            event(3, "2024-03-31", "pulse_check"),
            event(6, "2020-01-01", "hypertension_resolved"),
            event(8, "2019-01-01", "af"),
        ],
    )
    assert found(spec) == {
        1: {"hypertension_65_no_pulse_check"},
        3: {"hypertension_65_no_pulse_check"},
        5: {"hypertension_65_no_pulse_check"},
    }


def test_only_registered_living_patients_are_found_and_a_patient_may_meet_several_rules(engine):
    spec = Spec(
        engine,
        patients=[
            patient(1, born="1950-01-01"),
            patient(2, registered_to="2024-01-01"),
            patient(3, died="2025-01-01"),
            patient(4, opted_out=True),
        ],
        events=[event(p, "2024-11-01", "irregular_pulse") for p in (1, 2, 3, 4)]
        + [event(1, "2010-01-01", "hypertension")],
        medications=[med(1, "2025-03-01", "doac")],
    )
    assert found(spec) == {1: set(RULES)}
    rows = spec.casefinder(include_opted_out=True)
    assert [r["patient_id"] for r in rows] == [1, 4]
    assert (rows[0]["practice_code"], rows[0]["age"], rows[0]["sex"]) == ("P1", 75, "M")
