"""The packaged hypertension programme (QOF HYP001, HYP008/HYP009, CVDP005HYP's casefinder).

Each spec is a tiny inline population run through every engine. The reference date is
31 March 2025, so someone born on 31 March 1945 is 80 on it and someone born a day later is 79.
"""

from __future__ import annotations

from datetime import date

import pytest
from spec_support import Spec, event, patient

from joinedup.programmes import load_programme

HYP = load_programme("hypertension")
UNDER_80 = "1960-06-15"  # 64
OVER_80 = "1940-06-15"  # 84
TURNS_80_TODAY = "1945-03-31"
TURNS_80_TOMORROW = "1945-04-01"
DIAGNOSED = "2010-01-01"


def bp(pid: int, day: str, systolic: float, diastolic: float) -> list[dict]:
    return [event(pid, day, "systolic_bp", systolic), event(pid, day, "diastolic_bp", diastolic)]


def hyp(pid: int, day: str = DIAGNOSED) -> dict:
    return event(pid, day, "hypertension")


def spec(engine, patients, events) -> Spec:
    return Spec(engine, programme=HYP, patients=patients, events=events)


@pytest.mark.parametrize(
    ("born", "systolic", "diastolic", "to_target"),
    [
        (UNDER_80, 140, 90, True),  # exactly 140/90 under 80: to target
        (UNDER_80, 141, 90, False),
        (UNDER_80, 140, 91, False),
        (UNDER_80, 150, 90, False),  # 150/90 is the 80-and-over target only
        (OVER_80, 150, 90, True),  # exactly 150/90 at 80 and over: to target
        (OVER_80, 151, 90, False),
        (OVER_80, 150, 91, False),
        (OVER_80, 120, 70, True),
        (TURNS_80_TODAY, 145, 85, True),  # 80 on the reference date: 150/90 applies
        (TURNS_80_TOMORROW, 145, 85, False),  # still 79: 140/90 applies
        (TURNS_80_TOMORROW, 140, 90, True),
    ],
)
def test_treated_to_target_thresholds_and_the_80_year_boundary(
    engine, born, systolic, diastolic, to_target
):
    s = spec(engine, [patient(1, born=born)], [hyp(1), *bp(1, "2025-01-10", systolic, diastolic)])
    flags = s.flags()[1]
    assert flags["on_register"] and flags["eligible"]
    assert flags["treated"] is to_target


def test_the_12_month_window_and_the_latest_reading(engine):
    s = spec(
        engine,
        [patient(p, born=UNDER_80) for p in range(1, 8)],
        [hyp(p) for p in range(1, 8)]
        + bp(1, "2024-03-31", 120, 70)  # exactly 12 months before: outside
        + bp(2, "2024-04-01", 120, 70)  # the day after: inside
        + bp(3, "2025-04-01", 120, 70)  # after the reference date: ignored
        + bp(4, "2024-06-01", 120, 70)
        + bp(4, "2025-02-01", 150, 95)  # a later high reading: the latest counts
        + bp(5, "2025-02-01", 150, 95)
        + bp(5, "2025-02-01", 135, 85)  # two on the latest day: the lowest counts
        + [  # systolic and diastolic on different days: each latest is used
            event(6, "2025-01-01", "systolic_bp", 130),
            event(6, "2025-02-01", "diastolic_bp", 95),
        ]
        + [event(7, "2025-01-01", "systolic_bp", 130)],  # no diastolic: not to target
    )
    assert s.column("treated") == {
        1: False,
        2: True,
        3: False,
        4: False,
        5: True,
        6: False,
        7: False,
    }


def test_register_follows_resolved_codes(engine):
    s = spec(
        engine,
        [patient(p, born=UNDER_80) for p in range(1, 6)],
        [
            hyp(1),
            hyp(2),
            event(2, "2015-01-01", "hypertension_resolved"),  # resolved: off
            hyp(3),
            event(3, "2015-01-01", "hypertension_resolved"),
            hyp(3, "2020-01-01"),  # diagnosed again after the resolved code: on
            hyp(4, "2015-01-01"),
            event(4, "2015-01-01", "hypertension_resolved"),  # same day: stays on
            event(5, "2026-01-01", "hypertension"),  # after the reference date: not yet
            *bp(2, "2025-01-10", 120, 70),
        ],
    )
    assert s.column("on_register") == {1: True, 2: False, 3: True, 4: True, 5: False}
    assert s.column("eligible") == {1: True, 2: False, 3: True, 4: True, 5: False}
    # Patient 2 is at target but off the register, so not counted as treated.
    p1 = s.counts()["P1"]
    assert (p1.recorded, p1.eligible, p1.treated, p1.risk_counts) == (3, 3, 0, {})


def test_practice_counts_and_the_hse_expected_prevalence(engine):
    s = spec(
        engine,
        [
            patient(1, born="1970-06-15", sex="M"),  # 54: men 45-54, 0.31
            patient(2, born="1944-01-01", sex="F"),  # 81: women 75+, 0.71
            patient(3, born="2015-01-01", sex="F"),  # 10: no expected prevalence under 16
            patient(4, born="2008-01-01", sex="M"),  # 17: men 16-34, 0.05
            patient(5, born="1960-06-15", sex="M", opted_out=True),  # left out of everything
        ],
        [hyp(1), hyp(2), hyp(5), *bp(1, "2025-01-10", 138, 88), *bp(2, "2025-01-10", 155, 80)],
    )
    p1 = s.counts()["P1"]
    assert p1.list_size == 4
    assert p1.expected == pytest.approx(0.31 + 0.71 + 0.0 + 0.05)
    assert (p1.recorded, p1.eligible, p1.treated, p1.exceptions) == (2, 2, 1, None)
    assert p1.programme == "hypertension"


def test_casefinder_one_high_reading_and_no_diagnosis(engine):
    adult = "1980-06-15"
    s = spec(
        engine,
        [
            patient(1, born=adult),  # 140/80: systolic exactly 140 -> found
            patient(2, born=adult),  # 120/90: diastolic exactly 90 -> found
            patient(3, born=adult),  # 139/89 -> not found
            patient(4, born=adult),  # high but on the register -> not found
            patient(5, born=adult),  # high, register resolved -> found
            patient(6, born=adult),  # high 12 months ago exactly -> outside the window
            patient(7, born="2007-04-01"),  # 17 with a high reading -> not an adult
            patient(8, born=adult),  # high, then a normal latest reading -> not found
            patient(9, born="2007-03-31"),  # 18 today with a high reading -> found
        ],
        bp(1, "2025-01-10", 140, 80)
        + bp(2, "2025-01-10", 120, 90)
        + bp(3, "2025-01-10", 139, 89)
        + [hyp(4)]
        + bp(4, "2025-01-10", 170, 100)
        + [hyp(5), event(5, "2015-01-01", "hypertension_resolved")]
        + bp(5, "2025-01-10", 160, 95)
        + bp(6, "2024-03-31", 170, 100)
        + bp(7, "2025-01-10", 170, 100)
        + bp(8, "2024-12-01", 170, 100)
        + bp(8, "2025-02-01", 130, 80)
        + bp(9, "2025-01-10", 150, 95),
    )
    found = {r["patient_id"] for r in s.casefinder() if r["find_high_bp_no_diagnosis"]}
    assert found == {1, 2, 5, 9}


def test_the_window_moves_with_the_reference_date(engine):
    s = spec(engine, [patient(1, born=UNDER_80)], [hyp(1), *bp(1, "2024-06-30", 130, 80)])
    assert s.column("treated", ref=date(2025, 6, 29)) == {1: True}
    assert s.column("treated", ref=date(2025, 6, 30)) == {1: False}  # exactly 12 months


def test_exceptions_are_unknown_not_zero_when_the_definition_has_no_rule(engine):
    # HYP declares no [exceptions]: the practice table cannot know them (None), unlike AF,
    # whose untreated eligible patients with no care adjustment are a counted 0.
    from spec_support import AF

    s = spec(engine, [patient(1, born=UNDER_80)], [hyp(1)])
    p1 = s.counts()["P1"]
    assert (p1.recorded, p1.eligible, p1.exceptions) == (1, 1, None)
    af = Spec(engine, patients=[patient(1, born="1940-01-01", sex="F")],
              events=[event(1, "2020-01-01", "af")], programme=AF)
    assert af.counts()["P1"].exceptions == 0
