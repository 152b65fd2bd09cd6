"""`joinedup import qof|cvdprevent` then `joinedup run af`, as a user types them."""

from __future__ import annotations

import csv
from pathlib import Path

from click.testing import CliRunner

from joinedup.cli.main import app
from joinedup.sources.qof import demo_data as demo

runner = CliRunner()


def qof_args(db: Path, *extra: str) -> list[str]:
    return ["import", "qof", "--prevalence", str(demo.PREVALENCE), "--geography",
            str(demo.GEOGRAPHY), "--db", str(db), *extra]


def test_import_then_run_gives_west_yorkshire(tmp_path: Path) -> None:
    db = tmp_path / "wy.duckdb"
    imported = runner.invoke(app, qof_args(db, "--ages", str(demo.AGES), "--imd", str(demo.IMD),
                                           "--year", "2019-20", "--ics", "qwo"))
    assert imported.exit_code == 0, imported.output
    assert "QOF 2019-20" in imported.output
    assert "No rows rejected" in imported.output
    assert "ignored columns that are not age bases: 65OV%" in imported.output
    # No --date: an aggregate store's reference date is the end of its QOF year.
    ran = runner.invoke(app, ["run", "af", "--db", str(db), "--out", str(tmp_path / "out")])
    assert ran.exit_code == 0, ran.output
    assert "period ending 2020-03-31" in ran.output
    assert "eligible unknown  treated unknown" in ran.output
    with (tmp_path / "out" / "practices.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 290
    assert sum(int(r["recorded"]) for r in rows) == 47_365
    assert sum(int(r["list_size"]) for r in rows) == 2_592_366


def test_rejected_rows_are_counted_and_written_with_reasons(tmp_path: Path) -> None:
    prevalence = tmp_path / "PREVALENCE_1920.csv"
    text = demo.PREVALENCE.read_text(encoding="utf-8")
    prevalence.write_text(text + "B86013,AF,lots,TOTAL,21456\n", encoding="utf-8")
    db = tmp_path / "wy.duckdb"
    result = runner.invoke(app, ["import", "qof", "--prevalence", str(prevalence),
                                 "--geography", str(demo.GEOGRAPHY), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "1 rejected rows with file, row, field and reason" in result.output
    with (tmp_path / "wy.rejects.csv").open(newline="", encoding="utf-8") as handle:
        (reject,) = list(csv.DictReader(handle))
    assert (reject["table_name"], reject["file_name"], reject["row_number"], reject["field"]) == (
        "qof_prevalence", "PREVALENCE_1920.csv", "581", "REGISTER")
    assert reject["line_number"] == "582"


def test_import_cvdprevent_into_the_same_store(tmp_path: Path) -> None:
    db = tmp_path / "wy.duckdb"
    assert runner.invoke(app, qof_args(db)).exit_code == 0
    cvd = tmp_path / "cvdp.csv"
    cvd.write_text(
        "AreaCode,AreaName,CategoryAttribute,Denominator,Factor,IndicatorCode,IndicatorName,"
        "IndicatorShortName,LowerConfidenceLimit,MetricCategoryName,MetricCategoryTypeName,"
        "Numerator,TimePeriodName,UpperConfidenceLimit,Value,ValueNote\n"
        "B86013,North Leeds,Persons,120,,CVDP002AF,AF anticoagulated,AF,,Persons,Sex,100,"
        "To March 2020,,83.3,\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["import", "cvdprevent", str(cvd), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "cvdprevent" in result.output and "No rows rejected" in result.output
    ran = runner.invoke(app, ["run", "af", "--db", str(db), "--out", str(tmp_path / "out"),
                              "--date", "2020-03-31"])
    assert ran.exit_code == 0, ran.output
    with (tmp_path / "out" / "practices.csv").open(newline="", encoding="utf-8") as handle:
        rows = {r["practice_code"]: r for r in csv.DictReader(handle)}
    assert (rows["B86013"]["eligible"], rows["B86013"]["treated"]) == ("120", "100")


def test_user_mistakes_are_one_line_and_exit_2(tmp_path: Path) -> None:
    db = tmp_path / "x.duckdb"
    cases = [
        (qof_args(db, "--year", "2019-21"), "a QOF year runs from one April to the next"),
        (qof_args(db, "--ics", "XYZ"), "no practices with ICS/STP code 'XYZ'"),
        (["import", "qof", "--prevalence", str(tmp_path / "none.csv"), "--geography",
          str(demo.GEOGRAPHY), "--db", str(db)], "none.csv: file not found"),
        (qof_args(db, "--ages", str(demo.PREVALENCE)), "not a list-size file"),
        (qof_args(tmp_path / "no" / "x.duckdb"), "does not exist"),
    ]
    for args, message in cases:
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output
        assert "Traceback" not in result.output
    assert not db.exists()


def test_run_on_a_date_outside_the_qof_year_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "wy.duckdb"
    assert runner.invoke(app, qof_args(db)).exit_code == 0
    ran = runner.invoke(app, ["run", "af", "--db", str(db), "--out", str(tmp_path / "out"),
                              "--date", "2024-03-31"])
    assert ran.exit_code == 2
    assert "the store holds QOF 2019-20" in ran.output
