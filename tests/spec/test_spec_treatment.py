"""Eligibility, the treated rule's 6-month window, and exceptions (PCAs) for AF."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from spec_support import AF, Spec, event, med, patient, scored

from joinedup.domain.calendar import months_before

OLD_WOMAN = "1940-01-01"  # aged 85 and female: CHA2DS2-VASc 3 on age and sex alone


def _months_before(day: date, months: int) -> str:
    return months_before(day, months).isoformat()


def af_patient(pid: int, **kwargs: Any) -> dict[str, Any]:
    return patient(pid, born=OLD_WOMAN, sex="F", **kwargs)


def test_eligible_is_the_latest_recorded_score_and_a_computed_score_alone_is_to_assess(engine):
    # QOF AF008's denominator: on the register with a latest *recorded* CHA2DS2-VASc of 2+.
    spec = Spec(
        engine,
        patients=[
            patient(1, born="1970-01-01", sex="M"),  # computed 0, recorded 2 -> eligible
            patient(2, born="1940-01-01", sex="F"),  # computed 3, recorded 1 -> not eligible
            patient(3, born="1955-01-01", sex="F"),  # computed 2, none recorded -> to assess
            patient(4, born="1940-01-01", sex="F"),  # computed 3, recorded 4 then 1 -> latest 1
            patient(5, born="1970-01-01", sex="F"),  # computed 1, none recorded -> neither
            patient(6, born="1940-01-01", sex="F"),  # no AF: neither
            patient(7, born="1940-01-01", sex="F"),  # recorded 3 after the date: to assess
        ],
        events=[event(p, "2020-01-01", "af") for p in (1, 2, 3, 4, 5, 7)]
        + [scored(1, 2), scored(2, 1), scored(4, 4, "2021-01-01"), scored(4, 1, "2024-01-01")]
        + [scored(7, 3, "2025-04-01"), scored(6, 3)],
    )
    assert spec.column("eligible") == {
        1: True, 2: False, 3: False, 4: False, 5: False, 6: False, 7: False,
    }
    assert spec.column("to_assess") == {
        1: False, 2: False, 3: True, 4: False, 5: False, 6: False, 7: True,
    }
    p1 = spec.counts()["P1"]
    assert (p1.recorded, p1.eligible, p1.to_assess) == (6, 1, 2)


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
        medications=[med(1, "2025-02-28", "doac"), med(2, "2025-03-01", "doac")],
    )
    assert spec.column("treated", ref=date(2025, 8, 31)) == {1: False, 2: True}


@pytest.mark.parametrize(
    ("ref", "indicator", "vka_alone_treated"),
    [
        # QOF 2022-23 ends on 31 March 2023 (AF007: any anticoagulant); AF008 from 1 April 2023.
        (date(2023, 3, 31), "AF007", True),
        (date(2023, 4, 1), "AF008", False),
        (date(2022, 4, 1), "AF007", True),
        (date(2024, 3, 31), "AF008", False),
    ],
)
def test_treated_follows_the_qof_year_of_the_reference_date(
    engine, ref, indicator, vka_alone_treated
):
    spec = Spec(
        engine,
        patients=[af_patient(i) for i in range(1, 5)],
        events=[event(3, "2015-06-01", "doac_unsuitable")],  # e.g. antiphospholipid syndrome
        medications=[
            med(1, _months_before(ref, 1), "vka"),  # a VKA alone
            med(2, _months_before(ref, 1), "doac"),
            med(3, _months_before(ref, 1), "vka"),  # a VKA where a DOAC is unsuitable
        ],
    )
    assert AF.treated.at(ref).name == indicator
    assert spec.column("treated", ref=ref) == {
        1: vka_alone_treated, 2: True, 3: True, 4: False,
    }


def test_under_af008_a_vka_counts_only_with_a_doac_unsuitable_code_on_or_before_the_date(engine):
    spec = Spec(
        engine,
        patients=[af_patient(1), af_patient(2)],
        events=[
            event(1, "2025-03-31", "doac_unsuitable"),  # on the date: counts
            event(2, "2025-04-01", "doac_unsuitable"),  # the day after: ignored
        ],
        medications=[med(1, "2025-02-01", "vka"), med(2, "2025-02-01", "vka")],
    )
    assert spec.column("treated") == {1: True, 2: False}


def test_treated_is_counted_only_among_eligible_patients(engine):
    spec = Spec(
        engine,
        patients=[
            af_patient(1),  # eligible, treated
            af_patient(2),  # eligible, untreated
            patient(3, born="1980-01-01"),  # AF, score 0, on a DOAC: treated but not eligible
            af_patient(4),  # no AF, on a DOAC (e.g. for a clot): not counted
        ],
        events=[event(p, "2020-01-01", "af") for p in (1, 2, 3)]
        + [scored(1, 3), scored(2, 3), scored(3, 0)],
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
        + [scored(p, 3) for p in range(1, 8)]
        + [scored(8, 0)]
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


@pytest.mark.parametrize(
    ("codes", "exception"),
    [
        ([("2024-06-01", "anticoag_not_indicated")], True),  # not indicated 10 months ago
        ([("2024-03-31", "anticoag_not_indicated")], False),  # exactly 12 months: expired
        ([("2010-01-01", "anticoag_not_indicated")], False),  # "not indicated" does not persist
        ([("2010-01-01", "anticoag_contraindicated")], True),  # a contraindication does
        ([("2024-06-01", "vka_declined")], False),  # warfarin declined: a DOAC is still open
        ([("2010-01-01", "vka_contraindicated")], False),  # warfarin allergy alone: likewise
        ([("2024-06-01", "vka_declined"), ("2015-01-01", "doac_unsuitable")], True),
        ([("2010-01-01", "vka_contraindicated"), ("2015-01-01", "doac_unsuitable")], True),
        ([("2024-03-31", "vka_declined"), ("2015-01-01", "doac_unsuitable")], False),
    ],
)
def test_care_adjustments_follow_the_qof_pca_windows_and_a_vka_code_alone_excuses_no_one(
    engine, codes, exception
):
    spec = Spec(
        engine,
        patients=[af_patient(1)],
        events=[event(1, "2020-01-01", "af"), scored(1, 3)]
        + [event(1, day, name) for day, name in codes],
    )
    assert spec.column("exception") == {1: exception}
