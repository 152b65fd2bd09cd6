"""Scenarios of change over time: reading them, the per-practice curves and the stratified draws."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from joinedup.domain.parameters import ParameterError
from joinedup.sources.synthetic import dates
from joinedup.sources.synthetic.rates import load_rates, packaged_dir
from joinedup.sources.synthetic.sampling import BLOCK, blocked_uniforms, expit, logit
from joinedup.sources.synthetic.scenario import (
    EARLY,
    NEVER,
    STEADY,
    Change,
    Scenario,
    Trend,
    load_scenario,
    scenario_names,
    solve_drop,
)

RATES = load_rates()
REFERENCE = dates.to_days(date(2026, 3, 31))


def test_packaged_scenarios_are_steady_and_improvement() -> None:
    assert scenario_names(RATES) == (STEADY, "improvement")
    steady = load_scenario(RATES, STEADY)
    assert not steady.changes and steady.share_before("oac_treated") is None
    improvement = load_scenario(RATES, "improvement")
    assert improvement.changes and improvement.years == 2
    assert improvement.share_before("af_register") == pytest.approx(0.72)
    assert improvement.share_before("oac_treated") == pytest.approx(0.78)
    assert improvement.as_dict()["practices_unchanged"] == pytest.approx(0.3)
    with pytest.raises(ValueError, match="scenario 'boom'; choose from steady, improvement"):
        load_scenario(RATES, "boom")


def _override(folder: Path, extra: str) -> Path:
    folder.mkdir()
    text = (packaged_dir() / "scenarios.csv").read_text(encoding="utf-8")
    (folder / "scenarios.csv").write_text(text + extra, encoding="utf-8")
    return folder


def test_a_users_scenarios_table_adds_a_scenario_and_bad_figures_are_named(
    tmp_path: Path,
) -> None:
    rows = "".join(
        f"rapid,{name},{value},x,test,test\n"
        for name, value in (("years", 1), ("af_register_share_before", 0.6),
                            ("oac_treated_share_before", 0.7), ("practices_unchanged", 0),
                            ("engagement_shape", 4))
    )
    rates = load_rates(_override(tmp_path / "a", rows))
    assert "rapid" in scenario_names(rates)
    assert load_scenario(rates, "rapid").share_before("af_register") == pytest.approx(0.6)
    bad = rows.replace("rapid,oac_treated_share_before,0.7", "rapid,oac_treated_share_before,1.2")
    with pytest.raises(ParameterError, match=r"scenarios\.csv: scenario 'rapid'.*oac_treated"):
        load_scenario(load_rates(_override(tmp_path / "b", bad)), "rapid")


def _trend() -> Trend:
    current = np.array([0.9, 0.8, 0.7])
    drop = np.array([1.0, 0.0, 2.0])
    return Trend(current, drop, REFERENCE, 2 * dates.DAYS_PER_YEAR)


def test_trend_runs_from_the_lower_share_to_todays_over_the_ramp() -> None:
    trend = _trend()
    practice = np.array([0, 1, 2])
    today = trend.at(practice, np.full(3, REFERENCE))
    np.testing.assert_allclose(today, [0.9, 0.8, 0.7])
    before = trend.at(practice, np.full(3, REFERENCE - dates.years(5)))
    np.testing.assert_allclose(before, expit(logit([0.9, 0.8, 0.7]) - [1.0, 0.0, 2.0]))
    halfway = trend.at(np.array([0]), np.array([REFERENCE - round(dates.DAYS_PER_YEAR)]))
    assert halfway[0] == pytest.approx(float(expit(logit(0.9) - 0.5)), abs=1e-4)


def test_since_is_the_first_day_the_share_passes_the_draw() -> None:
    trend = _trend()
    rng = np.random.default_rng(3)
    practice = rng.integers(0, 3, 2000)
    draw = rng.random(2000)
    since = trend.since(practice, draw)
    assert (since[draw >= trend.current[practice]] == NEVER).all()
    floor = expit(logit(trend.current[practice]) - trend.drop[practice])
    assert (since[draw < floor] == EARLY).all()
    for day in REFERENCE - np.array([0, 100, 400, 729, 2000]):
        on = draw < trend.at(practice, np.full(2000, day))
        assert ((since <= day) == on).mean() > 0.998  # up to a day's rounding at the boundary


def test_solve_drop_hits_the_weighted_share_before() -> None:
    current = np.array([0.9, 0.85, 0.8, 0.95])
    engagement = np.array([0.0, 1.0, 2.0, 0.5])
    weights = np.array([10.0, 30.0, 20.0, 40.0])
    kappa = solve_drop(current, engagement, weights, 0.8, "oac_treated")
    before = expit(logit(current) - kappa * engagement)
    assert float((before * weights).sum() / weights.sum()) == pytest.approx(0.8, abs=1e-6)
    assert before[0] == pytest.approx(0.9)  # an unengaged practice does not move
    with pytest.raises(ParameterError, match="only describe improvement"):
        solve_drop(current, engagement, weights, 0.95, "oac_treated")
    with pytest.raises(ParameterError, match="cannot be reached"):
        solve_drop(current, np.array([0.0, 0.0, 1.0, 0.0]), weights, 0.5, "oac_treated")


def test_change_is_flat_when_steady_and_engagement_is_seeded() -> None:
    improvement = load_scenario(RATES, "improvement")
    a = Change.build(np.random.default_rng(1), improvement, 400, REFERENCE, 3.0)
    b = Change.build(np.random.default_rng(1), improvement, 400, REFERENCE, 3.0)
    np.testing.assert_array_equal(a.engagement, b.engagement)
    assert (a.engagement == 0).mean() == pytest.approx(0.3, abs=0.07)
    steady = Change(Scenario(STEADY), a.engagement, REFERENCE, a.history_start)
    flat = steady.trend("oac_treated", np.array([0.7, 0.9]), np.array([1.0, 1.0]))
    assert (flat.drop == 0).all()
    with pytest.raises(ParameterError, match="history_years"):
        Change.build(np.random.default_rng(1), improvement, 10, REFERENCE, 1.0)


def test_blocked_uniforms_are_uniform_and_nearly_exact_within_blocks() -> None:
    rng = np.random.default_rng(7)
    similar = rng.random(1600)
    u = blocked_uniforms(rng, similar)
    assert ((u > 0) & (u < 1)).all()
    assert np.histogram(u, bins=BLOCK, range=(0, 1))[0].tolist() == [100] * BLOCK
    # Each block of 16 neighbours in `similar` holds one draw per sixteenth of (0, 1), so it has
    # 4 or 5 draws below 0.3 (16 x 0.3 = 4.8), never 2 or 8 as independent draws could.
    order = np.argsort(similar, kind="stable")
    per_block = (u[order] < 0.3).reshape(-1, BLOCK).sum(axis=1)
    assert set(per_block.tolist()) <= {4, 5}
    assert blocked_uniforms(rng, np.zeros(0)).shape == (0,)
