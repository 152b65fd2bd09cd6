"""`joinedup run af` on a tiny hand-built store whose answers are worked out by hand."""

from __future__ import annotations

import csv
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from joinedup.cli.main import app
from joinedup.domain.codelists import CodeSystem, load_codelist
from joinedup.domain.measures import PRACTICE_TABLE_COLUMNS
from joinedup.engines.duckdb import connect
from joinedup.engines.tables import create_contract_tables

REF = date(2026, 3, 31)
AF = load_codelist("af").ordered[0]
DOAC = load_codelist("doac", CodeSystem.DMD).ordered[0]
SCORE = load_codelist("cha2ds2vasc_score").ordered[0]  # a recorded CHA2DS2-VASc score

ORGS = [
    {"org_code": "ICS1", "name": "Test ICS", "org_type": "ics"},
    {"org_code": "PL1", "name": "Test Place", "org_type": "place", "parent_code": "ICS1"},
    {"org_code": "SUB1", "name": "Test Sub-ICB", "org_type": "sub_icb", "parent_code": "PL1"},
    {"org_code": "PCN1", "name": "Test PCN", "org_type": "pcn", "parent_code": "SUB1"},
    {"org_code": "P1", "name": "Big Gap Practice", "org_type": "practice", "parent_code": "PCN1"},
    {"org_code": "P2", "name": "Small Practice", "org_type": "practice", "parent_code": "PCN1"},
]


def _patient(pid: int, practice: str, born: str, sex: str = "M") -> dict[str, Any]:
    return {
        "patient_id": pid, "nhs_number": None, "birth_date": date.fromisoformat(born),
        "sex": sex, "ethnicity": "White", "lsoa_code": None, "imd_decile": 3,
        "practice_code": practice, "registered_from": date(2000, 1, 1), "registered_to": None,
        "date_of_death": None, "opted_out": False,
    }


@pytest.fixture
def store(tmp_path: Path) -> Path:
    # P1: 20 men born 1945 (aged 80: AF prevalence 20% -> expected 4.0); one on the AF register,
    #     aged 80 so CHA2DS2-VASc >= 2 (age >= 75), not anticoagulated.
    # P2: 5 men born 1945 (expected 1.0); one on the register and anticoagulated last month.
    # Both AF patients have their score (2: age 75+) recorded, which QOF AF008's denominator
    # (eligible) reads, so neither is a patient to assess.
    patients = [_patient(i, "P1", "1945-06-01") for i in range(1, 21)]
    patients += [_patient(i, "P2", "1945-06-01") for i in range(21, 26)]
    events = [
        {"patient_id": 1, "date": date(2020, 1, 1), "snomed_code": AF, "numeric_value": None},
        {"patient_id": 21, "date": date(2020, 1, 1), "snomed_code": AF, "numeric_value": None},
        {"patient_id": 1, "date": date(2020, 1, 1), "snomed_code": SCORE, "numeric_value": 2.0},
        {"patient_id": 21, "date": date(2020, 1, 1), "snomed_code": SCORE, "numeric_value": 2.0},
    ]
    meds = [{"patient_id": 21, "date": date(2026, 3, 1), "dmd_code": DOAC}]
    db = tmp_path / "ics.duckdb"
    con = connect(db)
    create_contract_tables(
        con, {"organisations": ORGS, "patients": patients, "clinical_events": events,
              "medications": meds},
    )
    con.disconnect()
    return db


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_run_af_writes_the_contract_outputs(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["run", "af", "--db", str(store), "--out", str(out), "--date", REF.isoformat()]
    )
    assert result.exit_code == 0, result.output
    rows = {r["practice_code"]: r for r in _rows(out / "practices.csv")}
    header = list(next(iter(rows.values())).keys())
    assert tuple(header[: len(PRACTICE_TABLE_COLUMNS)]) == PRACTICE_TABLE_COLUMNS

    p1, p2 = rows["P1"], rows["P2"]
    assert float(p1["expected"]) == pytest.approx(4.0)  # 20 x 0.20
    assert (p1["recorded"], p1["eligible"], p1["treated"]) == ("1", "1", "0")
    assert (p1["to_assess"], p2["to_assess"]) == ("0", "0")  # both have a recorded score
    assert p1["to_find"] == "3"  # ceil(0.85 x 4.0 - 1) = ceil(2.4)
    assert p1["to_treat"] == "1"  # ceil(0.90 x 1 - 0)
    assert (p2["to_find"], p2["to_treat"]) == ("0", "0")  # ceil(0.85 - 1) < 0; 1 of 1 treated
    assert (p1["rank"], p1["wave"], p2["rank"], p2["wave"]) == ("1", "1", "2", "")
    assert (p1["pcn_code"], p1["place_code"], p1["sub_icb_code"], p1["ics_code"]) == (
        "PCN1", "PL1", "SUB1", "ICS1",
    )
    assert float(p1["strokes_prevented_per_year"]) > 0
    assert float(p2["strokes_prevented_per_year"]) == 0

    summary = json.loads((out / "summary.json").read_text())
    for key in ("expected", "recorded", "eligible", "treated", "to_find", "to_treat",
                "strokes_prevented_per_year", "deaths_avoided_per_year", "savings_gbp_per_year"):
        total = sum(float(r[key]) for r in rows.values())
        assert summary[key] == pytest.approx(total), key
    assert summary["parameters_version"].startswith("2026.")
    assert summary["period_end"] == REF.isoformat()
    assert (out / "practices.parquet").is_file() and (out / "practices.xlsx").is_file()

    # Roll-ups are exact sums of the practices under each organisation.
    rollups = {(r["level"], r["code"]): r for r in _rows(out / "rollups.csv")}
    for level, code in (("pcn", "PCN1"), ("place", "PL1"), ("sub_icb", "SUB1"), ("ics", "ICS1")):
        row = rollups[(level, code)]
        assert int(row["recorded"]) == 2 and float(row["expected"]) == pytest.approx(5.0)
        assert int(row["to_find"]) == 3 and int(row["to_treat"]) == 1
        # From the sums (2 / 5.0), not the mean of the practices' rates ((0.25 + 1.0) / 2).
        assert float(row["detection_rate"]) == pytest.approx(0.4)
    assert rollups[("place", "PL1")]["name"] == "Test Place"

    # Breakdowns: every patient has IMD decile 3, so quintile 2 holds the footprint's totals.
    by_imd = [r for r in _rows(out / "breakdowns.csv")
              if r["dimension"] == "imd_quintile" and r["level"] == "footprint"]
    counts = {r["group"]: (r["recorded"], r["list_size"]) for r in by_imd}
    assert counts == {"1": ("0", "0"), "2": ("2", "25"), "3": ("0", "0"), "4": ("0", "0"),
                      "5": ("0", "0")}
    assert "Inequalities" in (out / "report.html").read_text()


def test_report_is_self_contained(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", "af", "--db", str(store), "--out", str(out)])
    assert result.exit_code == 0, result.output
    html = (out / "report.html").read_text()
    assert "Big Gap Practice" in html and "<svg" in html
    # Nothing fetched from elsewhere: no external scripts, styles, images or fonts.
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "<script" not in html


def test_willing_list_limits_the_plan(store: Path, tmp_path: Path) -> None:
    willing = tmp_path / "willing.csv"
    willing.write_text("practice_code\nP2\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", "af", "--db", str(store), "--out", str(out),
                                      "--date", REF.isoformat(), "--willing", str(willing)])
    assert result.exit_code == 0, result.output
    rows = {r["practice_code"]: r for r in _rows(out / "practices.csv")}
    assert rows["P1"]["willing"] == "False" and rows["P1"]["wave"] == ""
    assert rows["P1"]["rank"] == "1"  # still ranked: the gap is real even if not planned


def test_unknown_willing_practice_is_a_clear_error(store: Path, tmp_path: Path) -> None:
    willing = tmp_path / "willing.csv"
    willing.write_text("practice_code\nZZ999\n")
    result = CliRunner().invoke(app, ["run", "af", "--db", str(store), "--out",
                                      str(tmp_path / "o"), "--willing", str(willing)])
    assert result.exit_code == 2
    assert "ZZ999" in result.output


def test_missing_store_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["run", "af", "--db", str(tmp_path / "nope.duckdb"),
                                      "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "nope.duckdb" in result.output and "Traceback" not in result.output


def test_combined_and_separate_ambitions_are_exclusive(store: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["run", "af", "--db", str(store), "--out",
                                      str(tmp_path / "o"), "--ambition", "0.89",
                                      "--ambition-treat", "0.9"])
    assert result.exit_code == 2


def test_publish_suppresses_small_counts_and_says_so(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "pub"
    result = CliRunner().invoke(app, ["run", "af", "--db", str(store), "--out", str(out),
                                      "--date", REF.isoformat(), "--publish"])
    assert result.exit_code == 0, result.output
    rows = _rows(out / "practices.csv")
    for row in rows:
        for column in ("list_size", "recorded", "eligible", "treated", "to_find", "to_treat"):
            value = row[column]
            assert value == "" or ((int(value) == 0 or int(value) > 7) and int(value) % 5 == 0)
    p1 = next(r for r in rows if r["practice_code"] == "P1")
    # P1 has 1 on the register: suppressed, and so are the rates and figures built from it.
    assert p1["recorded"] == "" and p1["detection_rate"] == "" and p1["to_find"] == ""
    # P2's list of 5 is small, so P1's 20 is suppressed too: otherwise the published PCN total
    # minus P1 would give P2 back (secondary suppression).
    assert [r["list_size"] for r in rows] == ["", ""]
    pcn = next(r for r in _rows(out / "rollups.csv") if r["level"] == "pcn")
    assert pcn["list_size"] == "25"
    summary = json.loads((out / "summary.json").read_text())
    assert summary["publication"].startswith("published: counts 1–7 suppressed")
    # The footprint's gaps are small here, so the modelled figures built on them are unknown:
    # on screen too, never 0.
    assert summary["to_treat"] is None and summary["strokes_prevented_per_year"] is None
    assert "unknown strokes prevented" in result.output and "0.0 strokes" not in result.output
    html = (out / "report.html").read_text()
    assert "counts of 1–7 are suppressed" in html and "Not for publication" not in html


def test_working_outputs_say_they_are_not_for_publication(store: Path, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    out = tmp_path / "work"
    result = CliRunner().invoke(app, ["run", "af", "--db", str(store), "--out", str(out)])
    assert result.exit_code == 0, result.output
    metadata = pq.read_schema(out / "practices.parquet").metadata
    assert b"not for publication" in metadata[b"joinedup.publication"]
    assert "not for publication" in json.loads((out / "summary.json").read_text())["publication"]
    assert "Not for publication" in (out / "report.html").read_text()


def test_a_count_the_definition_lacks_is_unknown_everywhere(store: Path, tmp_path: Path) -> None:
    # Hypertension declares no exceptions rule: its exceptions are unknown (empty / null) in every
    # output, never 0, while the counts it does define stay whole numbers.
    out = tmp_path / "hyp"
    result = CliRunner().invoke(
        app, ["run", "hypertension", "--db", str(store), "--out", str(out),
              "--date", REF.isoformat(), "--trend", "2"],
    )
    assert result.exit_code == 0, result.output
    practices = _rows(out / "practices.csv")
    assert [r["exceptions"] for r in practices] == ["", ""]
    assert [r["recorded"] for r in practices] == ["0", "0"]
    assert all(r["exceptions"] == "" for r in _rows(out / "rollups.csv"))
    breakdowns = _rows(out / "breakdowns.csv")
    assert breakdowns and all(r["exceptions"] == "" for r in breakdowns)
    assert all(r["eligible"] != "" for r in breakdowns if r["dimension"] != "practice_imd_quintile")
    progress = _rows(out / "progress.csv")
    assert progress and all(r["exceptions"] == "" for r in progress)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["exceptions"] is None and summary["recorded"] == 0
