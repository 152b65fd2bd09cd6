"""Ambition gaps: hand-computed cases for separate and combined ambitions, rounding, exceptions."""

from __future__ import annotations

from datetime import date

import pytest

from joinedup.domain.ambitions import Ambition, Gap, Rounding, gap, whole
from joinedup.domain.measures import PracticeCounts

AF_2029 = Ambition(detect=0.85, treat=0.90)
"""The national 2029 AF ambitions (85% detected, 90% of eligible anticoagulated)."""
NEAREST = Ambition(detect=0.85, treat=0.90, rounding=Rounding.NEAREST)
PCA_RULE = Ambition(detect=0.85, treat=0.90, exclude_exceptions=True)


def practice(
    *,
    expected: float = 100.0,
    recorded: int = 80,
    eligible: int | None = 70,
    treated: int | None = 60,
    exceptions: int | None = 0,
) -> PracticeCounts:
    return PracticeCounts(
        period_end=date(2025, 3, 31),
        programme="af",
        practice_code="A00001",
        practice_name="Test Practice",
        pcn_code="U00001",
        place_code="P1",
        sub_icb_code="S1",
        ics_code="I1",
        list_size=4000,
        expected=expected,
        recorded=recorded,
        eligible=eligible,
        treated=treated,
        exceptions=exceptions,
    )


def test_separate_ambitions_default_to_the_national_2029_pair() -> None:
    # to_find = ceil(0.85 × 100 − 80) = 5; to_treat = ceil(0.90 × 70 − 60) = ceil(3.0) = 3
    assert gap(practice(), AF_2029) == Gap(to_find=5, to_treat=3)


def test_gap_is_zero_where_the_ambition_is_already_met() -> None:
    # 0.85 × 100 − 95 = −10 and 0.90 × 70 − 70 = −7: never negative
    assert gap(practice(recorded=95, treated=70), AF_2029) == Gap(to_find=0, to_treat=0)


def test_exactly_at_the_ambition_needs_nobody() -> None:
    # 0.85 × 100 − 85 = 0 and 0.90 × 70 − 63 = 0
    assert gap(practice(recorded=85, treated=63), AF_2029) == Gap(to_find=0, to_treat=0)


def test_a_fraction_of_a_patient_short_rounds_up() -> None:
    # 0.85 × 10.1 − 8 = 0.585 → 1; 0.90 × 7 − 6 = 0.3 → 1
    counts = practice(expected=10.1, recorded=8, eligible=7, treated=6)
    assert gap(counts, AF_2029) == Gap(to_find=1, to_treat=1)


def test_ceil_ignores_binary_float_noise_above_a_whole_number() -> None:
    # 0.55 × 100 is 55.00000000000001 in binary: a naive ceil would ask for 56 − 50 = 6
    counts = practice(expected=100.0, recorded=50)
    assert gap(counts, Ambition(detect=0.55, treat=0.9)).to_find == 5
    assert whole(0.55 * 100) == 55


def test_nearest_rounding_rounds_halves_up_and_drops_small_fractions() -> None:
    # 0.85 × 10.1 − 8 = 0.585 → 1 (nearest); 0.9 × 5 − 2 = 2.5 → 3 (half up, not banker's 2)
    counts = practice(expected=10.1, recorded=8, eligible=5, treated=2)
    assert gap(counts, NEAREST) == Gap(to_find=1, to_treat=3)
    # 0.85 × 9.8 − 8 = 0.33: nearest drops it, ceil asks for one more patient
    assert gap(practice(expected=9.8, recorded=8), NEAREST).to_find == 0
    assert gap(practice(expected=9.8, recorded=8), AF_2029).to_find == 1


def test_exceptions_stay_in_the_denominator_by_default() -> None:
    counts = practice(eligible=100, treated=80, exceptions=10)
    # default: ceil(0.9 × 100 − 80) = 10
    assert gap(counts, AF_2029).to_treat == 10
    # QOF PCA rule: ceil(0.9 × (100 − 10) − 80) = ceil(81 − 80) = 1
    assert gap(counts, PCA_RULE).to_treat == 1


def test_excluding_exceptions_without_a_pca_count_leaves_to_treat_unknown() -> None:
    result = gap(practice(exceptions=None), PCA_RULE)
    assert result.to_find == 5
    assert result.to_treat is None
    assert result.note is not None and "PCA" in result.note


@pytest.mark.parametrize(("eligible", "treated"), [(None, None), (70, None), (None, 60)])
def test_unknown_treatment_counts_give_none_and_say_why(
    eligible: int | None, treated: int | None
) -> None:
    result = gap(practice(eligible=eligible, treated=treated), AF_2029)
    assert result.to_find == 5
    assert result.to_treat is None
    assert result.note is not None and "AF008" in result.note


def test_combined_ambition_treats_known_patients_first_then_finds_the_rest() -> None:
    # a = 0.9, q = 0.8: target treated = 0.9 × 100 × 0.8 = 72; needed = 72 − 50 = 22.
    # untreated eligible = 56 − 50 = 6 → to_treat 6; 16 more treated must come from finding,
    # and each found patient is eligible with probability 0.8 → to_find = 16 / 0.8 = 20.
    counts = practice(expected=100.0, recorded=70, eligible=56, treated=50)
    ambition = Ambition.identified_and_managed(0.9)
    result = gap(counts, ambition, eligible_share=0.8)
    assert result == Gap(to_find=20, to_treat=6)
    # consistency: after the plan, treated ÷ (expected × q) reaches the ambition
    treated_after = counts.treated + result.to_treat + result.to_find * 0.8  # type: ignore[operator]
    assert treated_after / (counts.expected * 0.8) == pytest.approx(0.9)


def test_combined_ambition_met_by_treatment_alone_needs_no_finding() -> None:
    # target 72, treated 50 → needed 22; 30 untreated known patients cover it
    counts = practice(expected=100.0, recorded=95, eligible=80, treated=50)
    result = gap(counts, Ambition.identified_and_managed(0.9), eligible_share=0.8)
    assert result == Gap(to_find=0, to_treat=22)


def test_combined_ambition_already_met_is_zero() -> None:
    counts = practice(expected=100.0, recorded=95, eligible=80, treated=75)  # 75 ≥ 72
    result = gap(counts, Ambition.identified_and_managed(0.9), eligible_share=0.8)
    assert result == Gap(to_find=0, to_treat=0)


def test_combined_ambition_with_exceptions_excluded() -> None:
    # expected eligible 80, minus 5 exceptions = 75; target 0.9 × 75 = 67.5; treated 60
    # → needed ceil(7.5) = 8; untreated = 80 − 5 − 60 = 15 → to_treat 8, to_find 0
    counts = practice(expected=100.0, recorded=95, eligible=80, treated=60, exceptions=5)
    ambition = Ambition.identified_and_managed(0.9, exclude_exceptions=True)
    assert gap(counts, ambition, eligible_share=0.8) == Gap(to_find=0, to_treat=8)


def test_combined_ambition_needs_the_eligible_share() -> None:
    with pytest.raises(ValueError, match="eligible_share_of_found"):
        gap(practice(), Ambition.identified_and_managed(0.89))


def test_combined_ambition_without_treatment_counts_is_unknown() -> None:
    result = gap(
        practice(eligible=None, treated=None),
        Ambition.identified_and_managed(0.89),
        eligible_share=0.845,
    )
    assert (result.to_find, result.to_treat) == (None, None)
    assert result.note is not None and "to_find and to_treat unknown" in result.note


def test_ambition_rejects_mixed_or_out_of_range_values() -> None:
    with pytest.raises(ValueError, match="not both"):
        Ambition(detect=0.85, treat=0.90, combined=0.89)
    with pytest.raises(ValueError, match="both detect and treat"):
        Ambition(detect=0.85, treat=None)
    with pytest.raises(ValueError, match=r"\(0, 1\]"):
        Ambition(detect=1.2)
    with pytest.raises(ValueError, match=r"\(0, 1\]"):
        Ambition.identified_and_managed(0.0)


def test_share_of_found_patients_treated_follows_the_ambition() -> None:
    assert AF_2029.treated_share_of_found == 0.9
    assert Ambition(detect=0.85, treat=0.95).treated_share_of_found == 0.95
    assert Ambition.identified_and_managed(0.89).treated_share_of_found == 1.0


def test_ambition_as_dict_records_what_was_used() -> None:
    assert Ambition.identified_and_managed(0.89).as_dict() == {
        "kind": "combined",
        "detect": None,
        "treat": None,
        "combined": 0.89,
        "exclude_exceptions": False,
        "rounding": "ceil",
    }
