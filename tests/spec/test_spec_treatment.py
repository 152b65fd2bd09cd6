"""Eligibility, the treated rule's 6-month window, and exceptions (PCAs) for AF."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from spec_support import Spec, event, med, patient

OLD_WOMAN = "1940-01-01"  # aged 85 and female: CHA2DS2-VASc 3 on age and sex alone


def af_patient(pid: int, **kwargs: Any) -> dict[str, Any]:
    return patient(pid, born=OLD_WOMAN, sex="F", **kwargs)


def test_eligible_means_on_the_register_with_a_score_of_two_or_more(engine):
    spec = Spec(
        engine,
        patients=[
            patient(1, born="1970-01-01", sex="M"),  # score 0, AF -> not eligible
            patient(2, born="1970-01-01", sex="F"),  # score 1, AF -> not eligible
            patient(3, born="1955-01-01", sex="F"),  # score 2 (65-74 + female), AF -> eligible
            patient(4, born="1940-01-01", sex="F"),  # score 3, no AF -> not eligible
        ],
        events=[event(p, "2020-01-01", "af") for p in (1, 2, 3)],
    )
    assert spec.column("eligible") == {1: False, 2: False, 3: True, 4: False}


@pytest.mark.parametrize(
    ("issued", "treated"),
    [
        # Reference date 2025-03-31; 6 months before is 2024-09-30, which is outside the window.
        ("2024-09-29", False),
        ("2024-09-30", False),
        ("2024-10-01", True),
        ("2025-03-31", True),
        ("2025-04-01", False),  # after the reference date: ignored
    ],
)
def test_the_six_month_window_excludes_exactly_six_months_before(engine, issued, treated):
    spec = Spec(
        engine,
        patients=[af_patient(1)],
        events=[event(1, "2020-01-01", "af")],
        medications=[med(1, issued, "doac")],
    )
    assert spec.column("treated") == {1: treated}


def test_the_window_start_is_clamped_to_the_end_of_a_short_month(engine):
    # 31 August - 6 months = 28 February (2025 is not a leap year): 28 Feb out, 1 March in.
    spec = Spec(
        engine,
        patients=[af_patient(1), af_patient(2)],
        medications=[med(1, "2025-02-28", "vka"), med(2, "2025-03-01", "vka")],
    )
    assert spec.column("treated", ref=date(2025, 8, 31)) == {1: False, 2: True}


def test_a_vka_counts_as_treatment_like_a_doac(engine):
    spec = Spec(
        engine,
        patients=[af_patient(1), af_patient(2), af_patient(3)],
        medications=[med(1, "2025-01-01", "vka"), med(2, "2025-01-01", "doac")],
    )
    assert spec.column("treated") == {1: True, 2: True, 3: False}


def test_treated_is_counted_only_among_eligible_patients(engine):
    spec = Spec(
        engine,
        patients=[
            af_patient(1),  # eligible, treated
            af_patient(2),  # eligible, untreated
            patient(3, born="1980-01-01"),  # AF, score 0, on a DOAC: treated but not eligible
            af_patient(4),  # no AF, on a DOAC (e.g. for a clot): not counted
        ],
        events=[event(p, "2020-01-01", "af") for p in (1, 2, 3)],
        medications=[med(p, "2025-02-01", "doac") for p in (1, 3, 4)],
    )
    p1 = spec.counts()["P1"]
    assert (p1.recorded, p1.eligible, p1.treated) == (3, 2, 1)


def test_exceptions_are_eligible_untreated_patients_with_a_recent_decline_or_a_contraindication(
    engine,
):
    spec = Spec(
        engine,
        patients=[af_patient(i) for i in range(1, 8)] + [patient(8, born="1980-01-01")],
        events=[event(p, "2020-01-01", "af") for p in range(1, 9)]
        + [
            event(1, "2024-06-01", "anticoag_declined"),  # declined 10 months ago -> exception
            event(2, "2024-03-31", "anticoag_declined"),  # exactly 12 months ago -> outside
            event(3, "2024-04-01", "anticoag_declined"),  # 12 months minus a day -> exception
            event(4, "2010-01-01", "anticoag_contraindicated"),  # contraindication persists
            event(5, "2025-01-01", "anticoag_declined"),  # ...but treated anyway -> not one
            event(6, "2025-04-01", "anticoag_declined"),  # after the date -> not one
            event(8, "2025-01-01", "anticoag_declined"),  # score 0, not eligible -> not one
        ],
        medications=[med(5, "2025-02-01", "doac")],
    )
    assert spec.column("exception") == {
        1: True,
        2: False,
        3: True,
        4: True,
        5: False,
        6: False,
        7: False,
        8: False,
    }
    assert spec.counts()["P1"].exceptions == 3
