"""`joinedup load` as a user meets it: help, counts, rejects, and one-line errors."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

import joinedup.app.load
from joinedup.cli.main import app

runner = CliRunner()

ORGS = """org_code,name,org_type,parent_code,valid_from,valid_to
ICS1,The ICS,ics,,,
PL1,A place,place,ICS1,,
PCN1,A PCN,pcn,PL1,,
P1,Practice one,practice,PCN1,,
"""
PATIENTS = """patient_id,nhs_number,birth_date,sex,ethnicity,lsoa_code,imd_decile,practice_code,\
registered_from,registered_to,date_of_death,opted_out
1,9000000009,1950-01-01,F,White,,3,P1,2000-01-01,,,false
2,9000000018,1960-01-01,M,Black,,5,P1,2000-01-01,,,false
"""


def source(tmp_path: Path, patients: bool = True) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "organisations.csv").write_text(ORGS)
    if patients:
        (folder / "patients.csv").write_text(PATIENTS)
    return folder


def test_help_describes_the_command() -> None:
    result = runner.invoke(app, ["load", "--help"])
    assert result.exit_code == 0
    for option in ("--db", "--today", "--rejects"):
        assert option in result.output


def test_load_prints_counts_and_where_the_rejects_went(tmp_path: Path) -> None:
    db = tmp_path / "ics.duckdb"
    # One of two patients is rejected: a share the default limit refuses.
    result = runner.invoke(
        app, ["load", str(source(tmp_path)), "--db", str(db), "--today", "2025-01-01",
              "--max-rejected-share", "0.5"]
    )
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())  # undo rich's wrapping
    assert "│ patients │ patients.csv │ 2 │ 1 │ 1 │" in out
    assert "│ total │ │ 6 │ 5 │ 1 │" in out
    assert f"1 rejected rows with reasons: {tmp_path / 'ics.rejects.csv'}" in out
    assert "Dates checked as of 2025-01-01." in out
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT row_number, field FROM rejects").fetchall() == [
            (2, "nhs_number")
        ]


def test_rejects_option_chooses_the_csv(tmp_path: Path) -> None:
    rejects = tmp_path / "bad-rows.csv"
    result = runner.invoke(
        app,
        ["load", str(source(tmp_path)), "--db", str(tmp_path / "x.duckdb"), "--rejects",
         str(rejects), "--max-rejected-share", "0.5"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert rejects.read_text().count("\n") == 2  # header and one rejected row
    assert not (tmp_path / "x.rejects.csv").exists()


def test_a_missing_required_file_is_one_error_line_with_exit_code_2(tmp_path: Path) -> None:
    folder = source(tmp_path, patients=False)
    result = runner.invoke(app, ["load", str(folder), "--db", str(tmp_path / "x.duckdb")])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: ")
    assert "patients.csv" in lines[0] and "patients.parquet" in lines[0]
    assert "Traceback" not in result.output
    assert not (tmp_path / "x.duckdb").exists()


def test_missing_columns_are_named(tmp_path: Path) -> None:
    folder = source(tmp_path)
    (folder / "medications.csv").write_text("patient_id,dmd_code\n1,123\n")
    result = runner.invoke(app, ["load", str(folder), "--db", str(tmp_path / "x.duckdb")])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: medications.csv is missing columns: date "
        "(the medications table needs patient_id, date, dmd_code)"
    )


def test_a_missing_folder(tmp_path: Path) -> None:
    result = runner.invoke(app, ["load", str(tmp_path / "nope"), "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: source folder {tmp_path / 'nope'} does not exist"


def test_a_bad_today(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["load", str(source(tmp_path)), "--db", str(tmp_path / "x.db"), "--today", "1/2/25"]
    )
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: --today must be a date as YYYY-MM-DD, got '1/2/25'"


def test_ctrl_c_says_the_database_is_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(joinedup.app.load, "load", interrupted)
    db = tmp_path / "x.duckdb"
    result = runner.invoke(app, ["load", str(source(tmp_path)), "--db", str(db)])
    assert result.exit_code == 130
    assert result.stderr.strip() == f"error: load interrupted; {db} is unchanged"


def dated_source(tmp_path: Path) -> Path:
    folder = source(tmp_path)
    (folder / "clinical_events.csv").write_text(
        "patient_id,date,snomed_code,numeric_value\n1,2024-06-01,49436004,\n")
    return folder


def test_load_prepares_the_first_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After a load, the packaged programmes' queries are kept: the first run, and the first
    progress over the default periods, are repeats."""
    import subprocess
    import sys

    monkeypatch.setenv("JOINEDUP_CACHE_DIR", str(tmp_path / "cache"))
    db = tmp_path / "ics.duckdb"
    result = runner.invoke(app, ["load", str(dated_source(tmp_path)), "--db", str(db),
                                 "--today", "2025-01-01", "--max-rejected-share", "0.5"])
    assert result.exit_code == 0, result.output
    assert "prepared af, hypertension for runs at 2024-06-01" in result.stdout
    script = ("import sys; from pathlib import Path; from joinedup.app.run import run_programme; "
              f"run_programme(Path({str(db)!r}), Path({str(tmp_path / 'out')!r})); "
              "print('ibis' in sys.modules)")
    first_run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                               check=True)
    assert first_run.stdout.strip() == "False"
    script = ("import sys; from pathlib import Path; "
              "from joinedup.app.progress import run_progress; "
              f"run_progress(Path({str(db)!r}), Path({str(tmp_path / 'progress')!r})); "
              "print('ibis' in sys.modules)")
    first_progress = subprocess.run([sys.executable, "-c", script], capture_output=True,
                                    text=True, check=True)
    assert first_progress.stdout.strip() == "False"


def test_no_prepare_keeps_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("JOINEDUP_CACHE_DIR", str(cache))
    result = runner.invoke(app, ["load", str(dated_source(tmp_path)), "--db",
                                 str(tmp_path / "ics.duckdb"), "--today", "2025-01-01",
                                 "--max-rejected-share", "0.5", "--no-prepare"])
    assert result.exit_code == 0, result.output
    assert "prepared" not in result.stdout
    assert not cache.exists()
