"""`joinedup waitlist synth | allocate | plan | simulate` through the command line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
import rich.style  # noqa: F401  (rich draws from the global `random` when first imported)
from click.testing import CliRunner

from joinedup.cli.main import app
from joinedup.store import load


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["waitlist", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small synthetic scenario, loaded into a store: (folder, database)."""
    folder = tmp_path_factory.mktemp("scenario")
    code, out, err = run("synth", "--out", str(folder), "--patients", "300", "--weeks", "2",
                         "--seed", "3")
    assert code == 0, err
    assert "waiting_list" in out
    db = folder.parent / "waitlist.duckdb"
    report = load(folder, db)
    counts = {t.table: t for t in report.tables}
    assert counts["waiting_list"].rejected == 0  # the synthetic list passes the loader
    return folder, db


def test_synth_writes_loadable_tables_sessions_and_a_manifest(
    scenario: tuple[Path, Path],
) -> None:
    folder, _ = scenario
    for name in ("organisations", "patients", "waiting_list", "sessions", "demand"):
        assert (folder / f"{name}.csv").is_file()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["seed"] == 3 and manifest["parameters"].startswith("waitlist ")
    waiting = pd.read_csv(folder / "waiting_list.csv")
    assert 250 <= len(waiting) <= 350 and set(waiting["trust_code"]) == {"TRA", "TRB", "TRC"}


@pytest.mark.parametrize("method", ["optimiser", "greedy"])
def test_allocate_books_within_sessions_and_explains(
    scenario: tuple[Path, Path], tmp_path: Path, method: str
) -> None:
    folder, db = scenario
    out = tmp_path / method
    code, text, err = run("allocate", "--db", str(db), "--sessions", str(folder / "sessions.csv"),
                          "--out", str(out), "--method", method, "--time-limit", "1")
    assert code == 0, err
    assert f"{method}: booked" in text
    summary = json.loads((out / "summary.json").read_text())
    bookings = pd.read_csv(out / "bookings.csv")
    unbooked = pd.read_csv(out / "unbooked.csv")
    used = pd.read_csv(out / "session_use.csv")
    assert summary["patients_booked"] == len(bookings) > 0
    assert summary["patients_waiting"] == len(bookings) + len(unbooked)
    assert summary["priority_order_breaches"] == 0
    assert (used["booked_minutes"] <= used["minutes"]).all()
    per_session = bookings.groupby("session_id")["expected_minutes"].sum()
    assert (per_session <= used.set_index("session_id")["minutes"][per_session.index]).all()
    assert bookings["why_patient"].notna().all() and bookings["why_session"].notna().all()
    assert unbooked["reason"].notna().all()
    if method == "optimiser":
        # Priorities are solved in turn, each given the greedy answer as a start, so the top
        # priority never has more wait left than under the greedy rule.
        top = next(p for p, row in summary["by_priority"].items() if row["waiting"])
        assert (summary["weighted_wait_left_by_priority"][top]
                <= summary["greedy_weighted_wait_left_by_priority"][top])


def test_allocate_with_a_bad_capacity_file_is_one_line(
    scenario: tuple[Path, Path], tmp_path: Path
) -> None:
    _, db = scenario
    bad = tmp_path / "sessions.csv"
    bad.write_text("session_id,site,host_trust,date,minutes,specialty,accepts_trusts,min_age,"
                   "max_age\nS1,Site,TRA,2025-04-07,lots,ENT,*,,\n")
    code, _, err = run("allocate", "--db", str(db), "--sessions", str(bad), "--out",
                       str(tmp_path / "o"))
    assert code == 2
    assert err.strip() == f"error: {bad}: line 2, field 'minutes': minutes is not a whole number"


def test_allocate_without_a_store_says_so(scenario: tuple[Path, Path], tmp_path: Path) -> None:
    folder, _ = scenario
    code, _, err = run("allocate", "--db", str(tmp_path / "none.duckdb"), "--sessions",
                       str(folder / "sessions.csv"), "--out", str(tmp_path / "o"))
    assert code == 2
    assert "none.duckdb: no store found" in err and len(err.strip().splitlines()) == 1


def test_plan_json_carries_the_nhsrwaitinglist_figures() -> None:
    code, out, _ = run("plan", "--demand", "30", "--queue-size", "1200", "--target-wait", "52",
                       "--capacity", "27", "--mean-wait", "63", "--json")
    assert code == 0
    payload = json.loads(out)
    assert payload["target_mean_wait"] == 13  # 52 / 4
    assert payload["target_queue_size"] == pytest.approx(390)  # 30 × 13
    assert payload["relief_capacity"] == pytest.approx(30 + (1200 - 390) / 26)
    assert payload["target_capacity"] == pytest.approx(30 + ((1 + 1) / 2) * (4 / 52))
    assert payload["queue_load"] == pytest.approx(30 / 27)
    assert payload["waiting_list_pressure"] == pytest.approx(2 * 63 / 52)


def test_plan_options_change_the_answer_and_optional_figures_stay_out() -> None:
    code, out, _ = run("plan", "--demand", "30", "--queue-size", "1200", "--target-wait", "52",
                       "--time-to-target", "52", "--factor", "6", "--cv-demand", "1.1",
                       "--cv-capacity", "1.2", "--json")
    assert code == 0
    payload = json.loads(out)
    assert payload["target_queue_size"] == pytest.approx(30 * 52 / 6)  # 260
    assert payload["relief_capacity"] == pytest.approx(30 + (1200 - 260) / 52)
    assert payload["target_capacity"] == pytest.approx(30 + ((1.21 + 1.44) / 2) * (6 / 52))
    assert "queue_load" not in payload and "waiting_list_pressure" not in payload


def test_plan_text_and_a_bad_target() -> None:
    code, out, _ = run("plan", "--demand", "30", "--queue-size", "1200", "--target-wait", "52")
    assert code == 0
    assert re.search(r"target queue size:\s+390\.0 patients", out)
    assert "relief capacity:    61.15 a week for 26 weeks" in out
    code, _, err = run("plan", "--demand", "30", "--queue-size", "1200", "--target-wait", "0")
    assert code == 2 and err.strip() == "error: target wait must be above 0, got 0.0"


def test_simulate_writes_the_csv_summary_and_a_self_contained_report(tmp_path: Path) -> None:
    out = tmp_path / "sim"
    code, text, err = run("simulate", "--out", str(out), "--weeks", "4", "--seed", "5")
    assert code == 0, err
    assert "pooled_plus_capacity" in text or "pooled_plus_cap" in text
    frame = pd.read_csv(out / "simulation.csv")
    assert list(frame.columns[:5]) == ["scenario", "week", "date", "trust_code", "specialty"]
    assert len(frame) == 3 * 5 * 3 * 2  # scenarios × weeks 0..4 × trusts × specialties
    summary = json.loads((out / "summary.json").read_text())
    for scenario in ("separate", "pooled", "pooled_plus_capacity"):
        assert set(summary[scenario]) >= {"final_list_size", "over_18", "over_52", "over_65",
                                          "over_78"}
    assert summary["seed"] == 5
    html = (out / "report.html").read_text()
    assert "<svg" in html and "Pooled waiting lists" in html
    assert not re.search(r"(src|href)=\"https?:", html)  # nothing fetched from the network


def test_simulate_from_a_loaded_list(scenario: tuple[Path, Path], tmp_path: Path) -> None:
    _, db = scenario
    code, _, err = run("simulate", "--out", str(tmp_path / "s"), "--weeks", "2", "--db", str(db))
    assert code == 0, err
    summary = json.loads((tmp_path / "s" / "summary.json").read_text())
    assert summary["inputs"]["source"] == f"list loaded in {db}"
    assert 250 <= summary["inputs"]["starting_list"] <= 350


def test_every_waitlist_command_has_help() -> None:
    for command in ("synth", "allocate", "plan", "simulate"):
        code, out, _ = run(command, "--help")
        assert code == 0 and "Usage" in out
