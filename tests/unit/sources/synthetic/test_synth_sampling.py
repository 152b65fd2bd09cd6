"""The generator's vectorised drawing helpers, checked against hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest

from joinedup.sources.synthetic.sampling import (
    expand,
    grouped_choice,
    interpolate_quantiles,
    largest_remainder,
    marginal_preserving,
    practice_shares,
    uniform_days,
    with_odds_ratio,
)


def test_grouped_choice_uses_each_rows_own_group() -> None:
    rng = np.random.default_rng(1)
    # Group 0 always picks category 2, group 1 always category 0, group 2 splits 1 and 2.
    probs = np.array([[0, 0, 1.0], [1.0, 0, 0], [0, 0.5, 0.5]])
    group = np.array([0, 1, 0, 1, 2] * 4000)
    got = grouped_choice(rng, group, probs)
    assert (got[group == 0] == 2).all()
    assert (got[group == 1] == 0).all()
    third = got[group == 2]
    assert set(np.unique(third)) == {1, 2}
    assert abs((third == 1).mean() - 0.5) < 0.03


def test_grouped_choice_refuses_an_empty_distribution() -> None:
    with pytest.raises(ValueError, match="positive total"):
        grouped_choice(np.random.default_rng(0), np.array([0]), np.zeros((1, 3)))


def test_expand_gives_owner_and_position() -> None:
    owner, within = expand(np.array([2, 0, 3]))
    assert owner.tolist() == [0, 0, 2, 2, 2]
    assert within.tolist() == [0, 1, 0, 1, 2]


def test_largest_remainder_sums_exactly_with_a_floor() -> None:
    # 10 split 1:1:2: exact 2.5, 2.5, 5; floors 2, 2, 5 leave 1 for the first largest remainder.
    got = largest_remainder(np.array([1.0, 1.0, 2.0]), 10)
    assert got.tolist() == [3, 2, 5]
    # 5 split 1:1:98 with at least 1 each: 0.05, 0.05, 4.9 -> 0, 0, 5 -> raised to 1, 1, 3.
    assert largest_remainder(np.array([1.0, 1.0, 98.0]), 5, minimum=1).tolist() == [1, 1, 3]
    with pytest.raises(ValueError):
        largest_remainder(np.array([1.0, 1.0]), 1, minimum=1)


def test_interpolate_quantiles_hits_knots_and_is_log_linear_between() -> None:
    q = np.array([0.0, 0.5, 1.0])
    v = np.array([100.0, 1000.0, 10000.0])
    got = interpolate_quantiles(np.array([0.0, 0.25, 0.5, 1.0]), q, v)
    np.testing.assert_allclose(got, [100.0, np.sqrt(100 * 1000), 1000.0, 10000.0])


def test_odds_ratio_and_marginal_split() -> None:
    # p = 0.2 has odds 0.25; odds ratio 4 gives odds 1, i.e. p = 0.5.
    assert with_odds_ratio(np.array([0.2]), 4.0)[0] == pytest.approx(0.5)
    p = np.array([0.1, 0.3])
    share = np.array([0.05, 0.2])
    p0, p1 = marginal_preserving(p, share, 3.0)
    np.testing.assert_allclose((1 - share) * p0 + share * p1, p, atol=1e-9)
    odds = (p1 / (1 - p1)) / (p0 / (1 - p0))
    np.testing.assert_allclose(odds, 3.0, rtol=1e-6)


def test_practice_shares_hit_the_weighted_mean() -> None:
    rng = np.random.default_rng(3)
    offsets = np.linspace(-0.5, 0.5, 200)
    weights = np.arange(1, 201, dtype=float)
    shares = practice_shares(rng, 0.88, 0.75, offsets, weights)
    assert float((shares * weights).sum() / weights.sum()) == pytest.approx(0.88, abs=1e-6)
    assert shares.min() < 0.75 < 0.97 < shares.max()  # they really do vary


def test_uniform_days_stay_within_bounds() -> None:
    rng = np.random.default_rng(0)
    lo = np.array([10, 20, 30] * 1000)
    hi = np.array([10, 25, 31] * 1000)
    got = uniform_days(rng, lo, hi)
    assert ((got >= lo) & (got <= hi)).all()
    assert set(got[1::3]) == {20, 21, 22, 23, 24, 25}
