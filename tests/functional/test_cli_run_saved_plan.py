"""`joinedup run` plans with the willing list and waves a programme lead saved in the dashboard."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from fixtures.dashboard import dashboard_files
from joinedup.app.run import RunOptions
from joinedup.app.saved_plans import resolve_targeting
from joinedup.cli.main import app
from joinedup.operational import open_store, ops_url_for


@pytest.fixture
def store(tmp_path: Path) -> Path:
    db, _plan = dashboard_files()
    copy = tmp_path / "ics.duckdb"
    copy.write_bytes(db.read_bytes())
    return copy


def save(db: Path, willing: list[str] | None, wave_size: int, max_waves: int | None) -> None:
    ops = open_store(ops_url_for(db))
    ops.plans.save("af", willing, wave_size, max_waves, "lead")
    ops.close()


def test_the_next_run_uses_the_saved_plan_unless_told_not_to(store: Path,
                                                              tmp_path: Path) -> None:
    save(store, ["A81004", "A81003"], wave_size=1, max_waves=1)
    result = CliRunner().invoke(app, ["run", "af", "--db", str(store), "--out",
                                      str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "targeting: saved in the dashboard: version 1, by lead" in result.output
    with (tmp_path / "out" / "practices.csv").open(encoding="utf-8") as handle:
        rows = {r["practice_code"]: r for r in csv.DictReader(handle)}
    assert {c for c, r in rows.items() if r["willing"] == "True"} == {"A81003", "A81004"}
    assert sorted(r["wave"] for r in rows.values() if r["wave"]) == ["1"]  # one wave of one

    plain = CliRunner().invoke(app, ["run", "af", "--db", str(store), "--out",
                                     str(tmp_path / "plain"), "--no-saved-plan"])
    assert plain.exit_code == 0, plain.output
    assert "targeting: every practice willing" in plain.output


def test_what_a_run_is_given_wins_and_no_operational_store_is_created(store: Path,
                                                                     tmp_path: Path) -> None:
    ops_file = Path(ops_url_for(store).removeprefix("sqlite:///"))
    nothing = resolve_targeting(store, RunOptions(programme="af"))
    assert nothing.version is None and not ops_file.exists()  # a run never makes one
    save(store, ["A81001"], wave_size=3, max_waves=None)
    saved = resolve_targeting(store, RunOptions(programme="af"))
    assert (saved.version, saved.policy.willing, saved.policy.wave_size) == (
        1, frozenset({"A81001"}), 3)
    sized = resolve_targeting(store, RunOptions(programme="af", wave_size=5))
    assert (sized.version, sized.policy.willing, sized.policy.wave_size) == (None, None, 5)
    listed = tmp_path / "willing.csv"
    listed.write_text("practice_code\nA81002\n", encoding="utf-8")
    from_file = resolve_targeting(store, RunOptions(programme="af", willing_file=listed))
    assert from_file.policy.willing == frozenset({"A81002"})
    assert from_file.source == f"willing list {listed}"
    other = resolve_targeting(store, RunOptions(programme="hypertension"))
    assert other.version is None  # saved for af only
    gone = saved.within({"A81002"})
    assert gone.policy.willing == frozenset() and gone.not_in_footprint == ("A81001",)
