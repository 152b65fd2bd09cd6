"""The simulation: pooling cuts long waits in a three-trust scenario, capacity cuts the list."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from joinedup.app.waitlist import SimulateRequest, simulate

WEEKS = 52


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], pd.DataFrame, Path]:
    out = tmp_path_factory.mktemp("simulation")
    result = simulate(SimulateRequest(out=out, weeks=WEEKS, seed=7))
    return result.summary, pd.read_csv(result.paths["simulation"]), out


def test_pooling_cuts_long_waits_across_three_unequal_trusts(
    run: tuple[dict[str, Any], pd.DataFrame, Path],
) -> None:
    summary, _, _ = run
    separate, pooled = summary["separate"], summary["pooled"]
    assert sorted(separate["by_trust"]) == ["TRA", "TRB", "TRC"]
    # Trust A's list outgrows its theatres; kept separate, its waits pass a year.
    assert separate["over_52"] > 0
    assert pooled["over_52"] < separate["over_52"]
    assert pooled["over_18"] < separate["over_18"]
    assert summary["effect_of_pooling"]["over_52"] == pooled["over_52"] - separate["over_52"]
    longest = summary["effect_of_pooling"]["longest_wait_weeks_by_trust"]
    assert longest["TRA"]["pooled"] < longest["TRA"]["separate"]
    # Pooling evens the waits out: the spread of longest waits between trusts narrows.
    def spread(name: str) -> float:
        return max(v[name] for v in longest.values()) - min(v[name] for v in longest.values())
    assert spread("pooled") < spread("separate")


def test_added_shared_sessions_shorten_the_list(
    run: tuple[dict[str, Any], pd.DataFrame, Path],
) -> None:
    summary, _, _ = run
    more = summary["pooled_plus_capacity"]
    assert more["final_list_size"] < summary["pooled"]["final_list_size"]
    assert summary["effect_of_added_capacity"]["final_list_size"] == (
        more["final_list_size"] - summary["pooled"]["final_list_size"]
    )
    assert summary["inputs"]["shared_sessions_a_week"] == 2


def test_nobody_is_lost_list_equals_start_plus_referrals_minus_treated(
    run: tuple[dict[str, Any], pd.DataFrame, Path],
) -> None:
    summary, frame, _ = run
    start = summary["inputs"]["starting_list"]
    referrals = summary["inputs"]["referrals"]
    for scenario in ("separate", "pooled", "pooled_plus_capacity"):
        treated = frame[frame["scenario"] == scenario]["treated"].sum()
        assert summary[scenario]["final_list_size"] == start + referrals - treated


def test_the_seed_and_inputs_are_recorded_and_the_csv_has_every_row(
    run: tuple[dict[str, Any], pd.DataFrame, Path],
) -> None:
    summary, frame, out = run
    assert summary["seed"] == 7 and summary["weeks"] == WEEKS
    assert summary["parameters"].startswith("waitlist ")
    assert summary["inputs"]["source"].startswith("synthetic")
    on_disk = json.loads((out / "summary.json").read_text())
    assert on_disk["separate"]["over_52"] == summary["separate"]["over_52"]
    # One row per scenario, week (0..52), trust and specialty: 3 × 53 × 3 × 2.
    assert len(frame) == 3 * (WEEKS + 1) * 3 * 2
    final = frame[frame["week"] == WEEKS]
    for scenario in ("separate", "pooled", "pooled_plus_capacity"):
        part = final[final["scenario"] == scenario]
        for w in (18, 52, 65, 78):
            assert summary[scenario][f"over_{w}"] == part[f"over_{w}"].sum()
        assert (part["over_18"] >= part["over_52"]).all()
        assert (part["over_52"] >= part["over_65"]).all()
        assert (part["p92_wait_weeks"] >= part["median_wait_weeks"]).all()


def test_the_same_seed_gives_the_same_simulation(tmp_path: Path) -> None:
    first = simulate(SimulateRequest(out=tmp_path / "a", weeks=3, seed=3))
    second = simulate(SimulateRequest(out=tmp_path / "b", weeks=3, seed=3))
    other = simulate(SimulateRequest(out=tmp_path / "c", weeks=3, seed=4))
    text = first.paths["simulation"].read_text()
    assert text == second.paths["simulation"].read_text()
    assert text != other.paths["simulation"].read_text()
