"""Inequality statistics checked against hand-computed values."""

from __future__ import annotations

import math

import pytest

from joinedup.domain.inequality import (
    UNKNOWN,
    InequalityError,
    age_band,
    age_bands,
    deprivation_gap,
    ethnicity_group,
    group_order,
    imd_quintile,
    quintile_from_mean_decile,
    slope_index,
    wilson_interval,
    with_intervals,
)
from joinedup.domain.need import PracticeNeed, deprivation_weight, rank_pcns_by_need

Z95 = 1.959963984540054


def test_wilson_5_of_10_by_hand() -> None:
    # centre = (0.5 + z²/20) / (1 + z²/10) = 0.5; half = z √(0.025 + z²/400) / (1 + z²/10)
    half = Z95 * math.sqrt(0.025 + Z95**2 / 400) / (1 + Z95**2 / 10)
    low, high = wilson_interval(5, 10)
    assert (low, high) == pytest.approx((0.5 - half, 0.5 + half))
    assert (low, high) == pytest.approx((0.2366, 0.7634), abs=5e-5)


def test_wilson_at_the_edges_stays_inside_0_and_1() -> None:
    # 0/10: upper = z² / (n + z²) = 3.8415 / 13.8415
    assert wilson_interval(0, 10) == pytest.approx((0.0, Z95**2 / (10 + Z95**2)))
    assert wilson_interval(10, 10) == pytest.approx((10 / (10 + Z95**2), 1.0))
    assert wilson_interval(0, 10)[1] == pytest.approx(0.2775, abs=5e-5)


def test_wilson_other_confidence_and_larger_n() -> None:
    # 81/100 at 95%: known value (0.7222, 0.8749).
    assert wilson_interval(81, 100) == pytest.approx((0.7222, 0.8749), abs=5e-5)
    narrow = wilson_interval(81, 100, confidence=0.90)
    assert narrow[0] > 0.7222 and narrow[1] < 0.8749


def test_wilson_refuses_impossible_input() -> None:
    with pytest.raises(InequalityError, match="trials > 0"):
        wilson_interval(0, 0)
    with pytest.raises(InequalityError, match="between 0 and trials"):
        wilson_interval(11, 10)
    with pytest.raises(InequalityError, match="confidence"):
        wilson_interval(1, 10, confidence=1.0)


def test_slope_index_equal_groups_by_hand() -> None:
    # Ridits 0.1, 0.3, 0.5, 0.7, 0.9; rates rise by 0.1 per 0.2 of x: slope 0.5.
    sii, mean = slope_index([(100, r) for r in (0.5, 0.6, 0.7, 0.8, 0.9)])
    assert sii == pytest.approx(0.5)
    assert mean == pytest.approx(0.7)


def test_slope_index_unequal_groups_by_hand() -> None:
    # Populations 100 and 300: ridits 0.125 and 0.625; two points fix the line:
    # slope = (0.6 − 0.2) / (0.625 − 0.125) = 0.8. Weighted: x̄ = 0.5, ȳ = 0.5,
    # Sxy = 100(−0.375)(−0.3) + 300(0.125)(0.1) = 15, Sxx = 18.75.
    sii, mean = slope_index([(100, 0.2), (300, 0.6)])
    assert sii == pytest.approx(0.8)
    assert mean == pytest.approx(0.5)


def test_slope_index_is_weighted_by_population() -> None:
    # Three groups, rates not on a line: WLS by hand.
    groups = [(200, 0.50), (100, 0.80), (100, 0.60)]
    xs = [0.25, 0.625, 0.875]
    w = [200, 100, 100]
    xbar = sum(a * b for a, b in zip(w, xs, strict=True)) / 400  # 0.5
    ybar = sum(a * g[1] for a, g in zip(w, groups, strict=True)) / 400  # 0.6
    sxy = sum(a * (x - xbar) * (g[1] - ybar) for a, x, g in zip(w, xs, groups, strict=True))
    sxx = sum(a * (x - xbar) ** 2 for a, x in zip(w, xs, strict=True))
    assert (xbar, ybar) == pytest.approx((0.5, 0.6))
    # Sxy = 200(−0.25)(−0.1) + 100(0.125)(0.2) + 100(0.375)(0) = 7.5
    # Sxx = 200(0.0625) + 100(0.015625) + 100(0.140625) = 28.125
    assert (sxy, sxx) == pytest.approx((7.5, 28.125))
    assert slope_index(groups) == pytest.approx((4 / 15, 0.6))


def test_deprivation_gap_and_rii() -> None:
    counts = {1: (50, 100), 2: (60, 100), 3: (70, 100), 4: (80, 100), 5: (90, 100), UNKNOWN: (1, 2)}
    gap = deprivation_gap(counts)
    assert gap.most_deprived_rate == pytest.approx(0.5)
    assert gap.least_deprived_rate == pytest.approx(0.9)
    assert gap.absolute_gap == pytest.approx(0.4)
    assert gap.relative_gap == pytest.approx(1.8)
    assert gap.sii == pytest.approx(0.5)
    assert gap.rii == pytest.approx(0.5 / 0.7)
    with pytest.raises(InequalityError, match=r"every quintile; \[3\]"):
        deprivation_gap({q: (1, 10) for q in (1, 2, 4, 5)})


def _rows(dimension: str, counts: dict[object, tuple[int, int]]) -> list[dict[str, object]]:
    return [
        {"dimension": dimension, "group": g, "numerator": n, "denominator": d}
        for g, (n, d) in counts.items()
    ]


def test_rates_and_intervals_from_numerator_and_denominator() -> None:
    f, m, unknown = with_intervals(_rows("sex", {"F": (12, 8), "M": (5, 10), UNKNOWN: (0, 0)}))
    assert f["rate"] == pytest.approx(1.5) and f["ci_low"] is None  # not a proportion
    assert m["rate"] == 0.5
    assert (m["ci_low"], m["ci_high"]) == pytest.approx((0.2366, 0.7634), abs=5e-5)
    assert unknown["rate"] is None and unknown["ci_low"] is None


def test_a_mean_decile_gives_the_fifth_it_implies() -> None:
    # A mean decile m sits at (m - 0.5) tenths of England's areas: quintile 1 + floor((m-0.5)/2),
    # so the boundaries are at means 2.5, 4.5, 6.5 and 8.5 (each belongs to the upper fifth).
    means = (1, 2, 2.49, 2.5, 4.49, 4.5, 5.5, 6.5, 8.49, 8.5, 10)
    assert [quintile_from_mean_decile(m) for m in means] == [1, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    # A practice whose patients all live in one decile gets that decile's quintile.
    assert [quintile_from_mean_decile(d) for d in range(1, 11)] == [
        imd_quintile(d) for d in range(1, 11)
    ]
    for outside in (0.99, 10.01):
        with pytest.raises(InequalityError, match="1 to 10"):
            quintile_from_mean_decile(outside)


def test_groups() -> None:
    assert [imd_quintile(d) for d in (1, 2, 3, 9, 10, None)] == [1, 1, 2, 5, 5, None]
    with pytest.raises(InequalityError):
        imd_quintile(11)
    assert [age_band(a) for a in (0, 17, 18, 39, 40, 79, 80, 101, None)] == [
        "0–17", "0–17", "18–39", "18–39", "40–59", "60–79", "80 and over", "80 and over", UNKNOWN,
    ]  # fmt: skip
    assert age_bands() == ("0–17", "18–39", "40–59", "60–79", "80 and over")
    assert age_band(50, (16, 35, 45)) == "45 and over"
    assert ethnicity_group("Asian") == "Asian"
    assert ethnicity_group(None) == ethnicity_group("Martian") == UNKNOWN
    assert group_order("imd_quintile")[0] == 1
    with pytest.raises(InequalityError, match="unknown dimension"):
        group_order("postcode")


def test_deprivation_weights() -> None:
    assert [deprivation_weight(q) for q in (1, 2, 3, 4, 5, None)] == [
        1.5, 1.375, 1.25, 1.125, 1.0, 1.0,
    ]  # fmt: skip
    assert deprivation_weight(1, uplift=0) == 1.0


def test_highest_need_ranking_by_hand() -> None:
    practices = [
        PracticeNeed("A1", "PCN_A", to_find=100, to_treat=50, imd_quintile=5),  # 150 x 1.0
        PracticeNeed("B1", "PCN_B", to_find=60, to_treat=40, imd_quintile=1),  # 100 x 1.5
        PracticeNeed("B2", "PCN_B", to_find=10, to_treat=None, imd_quintile=3),  # 10 x 1.25
        PracticeNeed("C1", "PCN_C", to_find=80, to_treat=40, imd_quintile=None),  # 120 x 1.0
        PracticeNeed("X1", None, to_find=1, to_treat=1, imd_quintile=2),  # 2 x 1.375
    ]
    ranked = rank_pcns_by_need(practices)
    assert [(p.pcn_code, p.rank, p.need) for p in ranked] == [
        ("PCN_B", 1, pytest.approx(162.5)),
        ("PCN_A", 2, pytest.approx(150.0)),
        ("PCN_C", 3, pytest.approx(120.0)),
        ("(no PCN)", 4, pytest.approx(2.75)),
    ]
    b = ranked[0]
    assert (b.to_find, b.to_treat, b.practices, b.most_deprived_practices) == (70, 40, 2, 1)
    # Without the uplift the ranking is by absolute patients alone: A 150, C 120, B 110.
    assert [p.pcn_code for p in rank_pcns_by_need(practices, uplift=0)][:3] == [
        "PCN_A",
        "PCN_C",
        "PCN_B",
    ]


def test_need_ties_break_on_patients_then_deprivation_then_code() -> None:
    practices = [
        PracticeNeed("Z", "PCN_Z", to_find=10, to_treat=0, imd_quintile=5),
        PracticeNeed("Y", "PCN_Y", to_find=10, to_treat=0, imd_quintile=5),
    ]
    assert [p.pcn_code for p in rank_pcns_by_need(practices)] == ["PCN_Y", "PCN_Z"]


def test_practice_need_from_a_practices_csv_row() -> None:
    row = {"practice_code": "P1", "pcn_code": "", "to_find": "12", "to_treat": 3.0,
           "imd_quintile": None}  # fmt: skip
    assert PracticeNeed.from_row(row) == PracticeNeed("P1", None, 12, 3, None)


def test_intervals_are_recomputed_from_published_counts() -> None:
    from joinedup.domain.disclosure import publish_rows

    rows = _rows("sex", {"F": (23, 101), "M": (5, 60), UNKNOWN: (9, 12)})
    published = publish_rows(rows, ["numerator", "denominator"], groupings=[("dimension",)])
    f, m, unknown = with_intervals(published.rows)
    assert (f["numerator"], f["denominator"], f["rate"]) == (25, 100, 0.25)
    assert (f["ci_low"], f["ci_high"]) == pytest.approx(wilson_interval(25, 100))
    assert m["rate"] is m["ci_low"] is m["ci_high"] is None  # numerator 5: suppressed
    assert unknown["numerator"] is None and unknown["ci_high"] is None  # secondary (9)
    assert unknown["denominator"] == 10


def test_wilson_bounds_are_exact_at_0_and_at_n_successes() -> None:
    # The formula gives centre == half at 0 successes; in floating point the difference can be a
    # tiny positive number (2.8e-17 for 0/5 and 0/10), which is not a lower bound of exactly 0.
    # Likewise n/n can give an upper bound of 0.9999999999999999 (13/13, 17/17).
    for n in (5, 10, 17, 20, 34, 100):
        assert wilson_interval(0, n)[0] == 0.0
    for n in (13, 15, 17, 19, 33, 100):
        assert wilson_interval(n, n)[1] == 1.0
