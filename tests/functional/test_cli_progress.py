"""`joinedup progress af` on a tiny hand-built store whose answers at each quarter are worked out by
hand."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from joinedup.cli.main import app
from joinedup.domain.codelists import CodeSystem, load_codelist
from joinedup.engines.duckdb import connect
from joinedup.engines.tables import create_contract_tables
from joinedup.outputs.progress import IMPROVER_COLUMNS, PROGRESS_COLUMNS

AF = load_codelist("af").ordered[0]
DOAC = load_codelist("doac", CodeSystem.DMD).ordered[0]
SCORE = load_codelist("cha2ds2vasc_score").ordered[0]  # a recorded CHA2DS2-VASc score
ORGS = [
    {"org_code": "ICS1", "name": "Test ICS", "org_type": "ics"},
    {"org_code": "PL1", "name": "Test Place", "org_type": "place", "parent_code": "ICS1"},
    {"org_code": "SUB1", "name": "Test Sub-ICB", "org_type": "sub_icb", "parent_code": "PL1"},
    {"org_code": "PCN1", "name": "Test PCN", "org_type": "pcn", "parent_code": "SUB1"},
    {"org_code": "P1", "name": "Improving Practice", "org_type": "practice",
     "parent_code": "PCN1"},
    {"org_code": "P2", "name": "Slipping Practice", "org_type": "practice", "parent_code": "PCN1"},
]
PERIODS = ["2025-09-30", "2025-12-31", "2026-03-31"]


def _patient(pid: int, practice: str) -> dict[str, Any]:
    return {
        "patient_id": pid, "nhs_number": None, "birth_date": date(1945, 6, 1), "sex": "M",
        "ethnicity": "White", "lsoa_code": None, "imd_decile": 3, "practice_code": practice,
        "registered_from": date(2000, 1, 1), "registered_to": None, "date_of_death": None,
        "opted_out": False,
    }


def _event(pid: int, day: str) -> dict[str, Any]:
    return {"patient_id": pid, "date": date.fromisoformat(day), "snomed_code": AF,
            "numeric_value": None}


def _diagnosed(pid: int, day: str) -> list[dict[str, Any]]:
    """AF coded and, the same day, the CHA2DS2-VASc score recorded (2: age 75 or over)."""
    score = {"patient_id": pid, "date": date.fromisoformat(day), "snomed_code": SCORE,
             "numeric_value": 2.0}
    return [_event(pid, day), score]


def _issue(pid: int, day: str) -> dict[str, Any]:
    return {"patient_id": pid, "date": date.fromisoformat(day), "dmd_code": DOAC}


@pytest.fixture
def store(tmp_path: Path) -> Path:
    # Men born 1 June 1945 are 80 throughout (AF prevalence 20%, CHA2DS2-VASc 2 from age alone).
    # P1: 20 men, expected 4.0. AF coded for patient 1 in 2020, patient 2 on 15 Nov 2025 and
    #     patient 3 on 1 Feb 2026 -> recorded 1, 2, 3. DOAC to patient 1 on 10 Dec 2025 and to
    #     patient 2 on 1 Mar 2026 -> treated 0, 1, 2 (an issue in the 6 months to each date).
    # P2: 5 men, expected 1.0. Patient 21 has AF since 2020 and one DOAC issue on 1 Aug 2025:
    #     treated at September and December, not in March (more than 6 months before).
    # Each AF patient's score of 2 is recorded on the day of diagnosis, so eligible (QOF AF008:
    # the latest recorded score 2+) follows recorded.
    patients = [_patient(i, "P1") for i in range(1, 21)]
    patients += [_patient(i, "P2") for i in range(21, 26)]
    events = [*_diagnosed(1, "2020-01-01"), *_diagnosed(2, "2025-11-15"),
              *_diagnosed(3, "2026-02-01"), *_diagnosed(21, "2020-01-01")]
    meds = [_issue(1, "2025-12-10"), _issue(2, "2026-03-01"), _issue(21, "2025-08-01")]
    db = tmp_path / "ics.duckdb"
    con = connect(db)
    create_contract_tables(con, {"organisations": ORGS, "patients": patients,
                                 "clinical_events": events, "medications": meds})
    con.disconnect()
    return db


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def _invoke(*args: str) -> Any:
    return CliRunner().invoke(app, ["progress", "af", *args])


def test_progress_writes_the_series_worked_by_hand(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = _invoke("--db", str(store), "--out", str(out), "--periods", "3",
                     "--to", "2026-03-31")
    assert result.exit_code == 0, result.output
    rows = _rows(out / "progress.csv")
    assert list(rows[0]) == list(PROGRESS_COLUMNS)
    ics = [r for r in rows if r["level"] == "ics"]
    assert [r["period_end"] for r in ics] == PERIODS
    assert [r["recorded"] for r in ics] == ["2", "3", "4"]
    assert [r["eligible"] for r in ics] == ["2", "3", "4"]
    assert [r["treated"] for r in ics] == ["1", "2", "2"]
    assert [float(r["expected"]) for r in ics] == [5.0, 5.0, 5.0]
    assert [float(r["detection_rate"]) for r in ics] == pytest.approx([0.4, 0.6, 0.8])
    assert [float(r["treatment_rate"]) for r in ics] == pytest.approx([0.5, 2 / 3, 0.5])
    # to_find per practice: P1 ceil(3.4 - recorded) = 3, 2, 1; P2 none. to_treat: P1
    # ceil(0.9 x eligible - treated) = 1 each time; P2 0, 0, then ceil(0.9 - 0) = 1.
    assert [r["to_find"] for r in ics] == ["3", "2", "1"]
    assert [r["to_treat"] for r in ics] == ["1", "1", "2"]
    p2 = [r for r in rows if r["code"] == "P2"]
    assert [r["treated"] for r in p2] == ["1", "1", "0"]
    assert {r["level"] for r in rows} == {"ics", "place", "sub_icb", "pcn", "practice"}
    assert all(r["name"] for r in rows)

    improvers = _rows(out / "improvers.csv")
    assert list(improvers[0]) == list(IMPROVER_COLUMNS)
    assert [r["practice_code"] for r in improvers] == ["P1", "P2"]
    # P1: detection +0.5 x 4 expected = 2 found; treatment 0 -> 2/3, x 3 eligible = 2 treated.
    assert float(improvers[0]["patients_gained"]) == pytest.approx(4.0)
    assert (improvers[0]["recorded_gain"], improvers[0]["treated_gain"]) == ("2", "2")
    # P2: treatment 1 -> 0 of 1 eligible.
    assert float(improvers[1]["patients_gained"]) == pytest.approx(-1.0)

    summary = json.loads((out / "progress.json").read_text(encoding="utf-8"))
    assert summary["periods"] == PERIODS
    assert summary["footprint"] == "Test ICS"
    assert summary["footprint_trend"]["detection_rate"] == pytest.approx([0.4, 0.6, 0.8])
    assert summary["pace"]["detection_rate"]["change"] == pytest.approx(0.4)
    assert summary["ambition"]["detect"] == 0.85
    assert "not for publication" in summary["publication"]
    assert (out / "trend.svg").read_text(encoding="utf-8").startswith("<svg")

    text = " ".join(result.output.split())
    assert "Test ICS · af · 3 periods 2025-09-30 to 2026-03-31" in text
    assert "2025-09-30 40.0% 50.0% 3 1" in text
    assert "1. P1 Improving Practice: +4" in text
    assert "wrote" in text and "progress.csv" in text


def test_dates_every_month_and_a_combined_ambition(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = _invoke("--db", str(store), "--out", str(out), "--every", "month",
                     "--from", "2026-01-01", "--to", "2026-03-31", "--ambition", "0.89")
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "progress.json").read_text(encoding="utf-8"))
    assert summary["periods"] == ["2026-01-31", "2026-02-28", "2026-03-31"]
    assert summary["ambition"]["combined"] == 0.89
    assert set(summary["pace"]) == {"detection_rate", "treatment_rate", "managed_share"}
    assert summary["pace"]["managed_share"]["ambition"] == 0.89


def test_published_progress_hides_small_counts(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = _invoke("--db", str(store), "--out", str(out), "--periods", "2", "--publish")
    assert result.exit_code == 0, result.output
    ics = [r for r in _rows(out / "progress.csv") if r["level"] == "ics"]
    # Every count here is 1 to 7: suppressed, and so are the rates made from them.
    assert {r["recorded"] for r in ics} == {""} and {r["detection_rate"] for r in ics} == {""}
    assert {r["list_size"] for r in ics} == {"25"}
    improvers = _rows(out / "improvers.csv")
    assert {r["recorded_gain"] for r in improvers} == {""}
    summary = json.loads((out / "progress.json").read_text(encoding="utf-8"))
    # Without --to the last period ends on the latest record (the DOAC issued 1 March 2026).
    assert summary["periods"] == ["2025-12-01", "2026-03-01"]
    assert "not for publication" not in summary["publication"]
    assert summary["footprint_trend"]["detection_rate"] == [None, None]
    assert "[c]" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-04-01", "--to", "2026-03-31"], "after the last date"),
        (["--from", "2025-01-01", "--periods", "2"], "either --from or --periods"),
        (["--every", "week"], "--every must be month or quarter"),
        (["--to", "31/03/2026"], "YYYY-MM-DD"),
        (["--ambition", "0.8", "--ambition-detect", "0.9"], "either --ambition"),
    ],
)
def test_mistakes_are_one_clear_line(
    store: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    result = _invoke("--db", str(store), "--out", str(tmp_path / "out"), *args)
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_a_missing_store_is_named(tmp_path: Path) -> None:
    result = _invoke("--db", str(tmp_path / "none.duckdb"), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "none.duckdb: no store found" in result.output


def test_progress_names_the_treated_rule_per_period_and_flags_the_change(
    store: Path, tmp_path: Path
) -> None:
    # Quarter ends from 31 December 2022 to 30 June 2023 cross QOF's AF007 -> AF008 switch on
    # 1 April 2023: the series says which rule each period used and where it changed.
    out = tmp_path / "rules"
    result = _invoke("--db", str(store), "--out", str(out), "--from", "2022-12-31",
                     "--to", "2023-06-30")
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "progress.json").read_text())
    assert summary["periods"] == ["2022-12-31", "2023-03-31", "2023-06-30"]
    assert summary["treated_rule"] == ["AF007", "AF007", "AF008"]
    assert summary["treated_rule_changes"] == [
        {"period_end": "2023-06-30", "from": "AF007", "to": "AF008"}
    ]
