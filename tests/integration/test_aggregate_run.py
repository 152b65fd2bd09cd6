"""Find and treat from published aggregates, on the real files: West Yorkshire and England."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from datetime import date
from pathlib import Path

import duckdb
import pytest

from joinedup.app import demo as demo_use_case
from joinedup.app.imports import import_cvdprevent, import_qof
from joinedup.app.programme import ProgrammeSetup
from joinedup.app.run import RunOptions, run_programme
from joinedup.app.store import open_store
from joinedup.domain.ambitions import Ambition
from joinedup.domain.impact.stroke_risk import StrokeRiskModel
from joinedup.domain.targeting import TargetingPolicy, plan
from joinedup.engines.duckdb import connect
from joinedup.engines.tables import create_contract_tables
from joinedup.outputs.summary import build_summary
from joinedup.sources.qof import demo_data as demo
from joinedup.sources.qof.age_structure import STRUCTURES
from joinedup.store.aggregates import AggregateImportError

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
END = date(2020, 3, 31)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def test_west_yorkshire_2019_20_from_the_packaged_real_files(tmp_path: Path) -> None:
    result = demo_use_case.run_real_demo(tmp_path)
    rows = read_csv(tmp_path / "af" / "practices.csv")
    assert len(rows) == 290
    assert sum(int(r["list_size"]) for r in rows) == 2_592_366
    assert sum(int(r["recorded"]) for r in rows) == 47_365
    assert {r["ics_code"] for r in rows} == {"QWO"}
    assert {r["sub_icb_code"] for r in rows} == {"02T", "03A", "03J", "03R", "15F", "36J"}
    assert all(r["eligible"] == r["treated"] == "" for r in rows)  # not published here
    assert all(float(r["expected"]) > 0 and r["to_find"] != "" for r in rows)
    summary = json.loads((tmp_path / "af" / "summary.json").read_text(encoding="utf-8"))
    assert (summary["practices"], summary["list_size"], summary["recorded"]) == (
        290, 2_592_366, 47_365)
    assert summary["period_end"] == "2020-03-31"
    assert summary["to_treat"] is None  # unknown without AF008 numerators, not 0
    assert summary["inputs"]["age_structure"] == STRUCTURES["qof_age_bases"]
    report = (tmp_path / "af" / "report.html").read_text(encoding="utf-8")
    assert "Missing: treated for 290 practices" in report
    # The expected model used the QOF age bases for every practice, and says so.
    assert result.notes["age_structure"] == STRUCTURES["qof_age_bases"]
    missing = {m["measure"]: m for m in result.notes["missing_measures"]}
    assert set(missing) == {"eligible", "treated", "exceptions"}
    assert missing["treated"]["practices"] == 290
    assert "no QOF achievement file was imported" in missing["treated"]["reason"]
    assert result.notes["practices_without_imd"] == 22
    lines = "\n".join(result.describe())
    assert "missing: treated for 290 practices" in lines
    assert "Open Government Licence v3.0" in lines
    assert result.imported.rejected == 0


def test_the_packaged_slices_are_the_national_files_rows(tmp_path: Path) -> None:
    qwo = {r["PRACTICE_CODE"] for r in read_csv(
        SHARED / "geography" / "MAPPING_NHS_GEOGRAPHIES_2019_2020.csv")
        if r["STP_ODS_CODE"] == "QWO"}
    national = [r for r in read_csv(SHARED / "qof" / "PREVALENCE_1920.csv")
                if r["PRACTICE_CODE"] in qwo and r["GROUP_CODE"] in ("AF", "HYP")]
    assert read_csv(demo.PREVALENCE) == national
    ages = [r for r in read_csv(SHARED / "lists" / "gp-by-age.csv") if r["PRACTICE_CODE"] in qwo]
    assert read_csv(demo.AGES) == ages


def test_englands_totals_equal_the_sums_of_the_input_files(tmp_path: Path) -> None:
    prevalence = SHARED / "qof" / "PREVALENCE_1920.csv"
    geography = SHARED / "geography" / "MAPPING_NHS_GEOGRAPHIES_2019_2020.csv"
    ages = SHARED / "lists" / "gp-by-age.csv"
    db = tmp_path / "england.duckdb"
    report = import_qof(db, prevalence=prevalence, geography=geography, ages=ages)

    # The counts identity, per file, against rows counted independently.
    for table, path in (("qof_prevalence", prevalence), ("qof_geography", geography),
                        ("list_sizes_by_age_base", ages)):
        counts = report.table(table)
        assert counts.rows_in == len(read_csv(path))
        assert counts.rows_in == counts.loaded + counts.rejected
    af = [r for r in read_csv(prevalence) if r["GROUP_CODE"] == "AF"]

    setup = ProgrammeSetup.load("af")
    parameters = setup.parameters
    with open_store(db) as store:
        rows, _inputs = store.kind.practice_counts(
            store.con, setup.programme, END, parameters, setup.codelists
        )
    assert len(rows) == len(af) == 6720
    assert sum(r.list_size for r in rows) == sum(int(r["PATIENT_LIST_SIZE"]) for r in af)
    assert sum(r.recorded for r in rows) == sum(int(r["REGISTER"]) for r in af) == 1_239_401
    assert {r.ics_code for r in rows} >= {"QWO"} and len({r.ics_code for r in rows}) == 42

    result = plan(rows, Ambition(detect=0.85, treat=0.90), TargetingPolicy(),
                  StrokeRiskModel.from_parameters(parameters))
    summary = build_summary(result, "af", END, {}, parameters.label)
    assert (summary["practices"], summary["list_size"], summary["recorded"]) == (
        6720, 60_407_685, 1_239_401)
    # Expected: between PHE's 2.4% and RCGP RSC's 2.73% of the registered list.
    assert 0.024 < summary["expected"] / summary["list_size"] < 0.0273


ACHIEVEMENT = [
    "PRACTICE_CODE,INDICATOR_CODE,MEASURE,VALUE",
    "B86013,AF001,REGISTER,157",
    "B86013,AF007,DENOMINATOR,130",
    "B86013,AF007,NUMERATOR,110",
    "B86013,AF007,PCAS,12",
    "B85041,AF007,DENOMINATOR,100",
    "B85041,AF007,NUMERATOR,70",
    "B85041,AF007,PCAS,3",
    "B85041,AF007,ACHIEVED_POINTS,4.2",
]


def test_achievement_numbers_reach_the_practice_table(tmp_path: Path) -> None:
    db = tmp_path / "qof.duckdb"
    achievement = tmp_path / "ACHIEVEMENT_1920.csv"
    achievement.write_text("\n".join(ACHIEVEMENT) + "\n", encoding="utf-8")
    import_qof(db, prevalence=demo.PREVALENCE, geography=demo.GEOGRAPHY, ages=demo.AGES,
               achievement=achievement)
    run_programme(db, tmp_path / "out", RunOptions(reference_date=END))
    rows = {r["practice_code"]: r for r in read_csv(tmp_path / "out" / "practices.csv")}
    north_leeds, mount_pleasant = rows["B86013"], rows["B85041"]
    assert (north_leeds["eligible"], north_leeds["treated"], north_leeds["exceptions"]) == (
        "142", "110", "12")
    assert (mount_pleasant["eligible"], mount_pleasant["treated"]) == ("103", "70")
    # 90% of 103 eligible is 92.7, so 23 more to treat (rounded up).
    assert mount_pleasant["to_treat"] == "23"
    assert sum(1 for r in rows.values() if r["eligible"] == "") == 288


def test_a_failed_import_leaves_the_previous_store_as_it_was(tmp_path: Path) -> None:
    db = tmp_path / "qof.duckdb"
    import_qof(db, prevalence=demo.PREVALENCE, geography=demo.GEOGRAPHY)
    before = db.read_bytes()
    rejects_before = (tmp_path / "qof.rejects.csv").read_bytes()
    bad = tmp_path / "MAPPING_NHS_GEOGRAPHIES_2019_2020.csv"
    bad.write_text("PRACTICE_CODE,PRACTICE_NAME\nB86013,North Leeds\n", encoding="utf-8")
    with pytest.raises(AggregateImportError, match="MAPPING_NHS_GEOGRAPHIES layout"):
        import_qof(db, prevalence=demo.PREVALENCE, geography=bad)
    assert db.read_bytes() == before
    assert (tmp_path / "qof.rejects.csv").read_bytes() == rejects_before
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "MAPPING_NHS_GEOGRAPHIES_2019_2020.csv", "qof.duckdb", "qof.rejects.csv"]


CVD_HEADER = ("AreaCode,AreaName,CategoryAttribute,Denominator,Factor,IndicatorCode,"
              "IndicatorName,IndicatorShortName,LowerConfidenceLimit,MetricCategoryName,"
              "MetricCategoryTypeName,Numerator,TimePeriodName,UpperConfidenceLimit,Value,"
              "ValueNote")


def test_the_qof_and_cvdprevent_parts_are_replaced_independently(tmp_path: Path) -> None:
    db = tmp_path / "both.duckdb"
    cvd = tmp_path / "cvdprevent.csv"
    cvd.write_text("\n".join([
        CVD_HEADER,
        "B86013,North Leeds,Persons,120,,CVDP002AF,AF anticoagulated,AF,,Persons,Sex,100,"
        "To March 2020,,83.3,",
        "B86013,North Leeds,Persons,120,,CVDP002AF,AF anticoagulated,AF,,Persons,Sex,130,"
        "To June 2020,,,",
    ]) + "\n", encoding="utf-8")
    import_qof(db, prevalence=demo.PREVALENCE, geography=demo.GEOGRAPHY)
    cvd_report = import_cvdprevent(db, [cvd], max_rejected_share=0.5)  # one of two rows
    assert (cvd_report.loaded, cvd_report.rejected) == (1, 1)
    import_qof(db, prevalence=demo.PREVALENCE, geography=demo.GEOGRAPHY, ages=demo.AGES)

    con = duckdb.connect(str(db), read_only=True)
    try:
        tables: dict[str, int] = defaultdict(int)
        for (name,) in con.execute("SELECT table_name FROM main.rejects").fetchall():
            tables[name] += 1
        assert dict(tables) == {"cvdprevent": 1}
        assert con.execute("SELECT count(*) FROM main.cvdprevent").fetchone() == (1,)
        # One row per practice and age base: 290 practices x 8 bases.
        assert con.execute("SELECT count(*) FROM main.list_sizes_by_age_base").fetchone() == (
            290 * 8,)
        assert con.execute("SELECT count(*) FROM main.load_log").fetchone() == (3,)
        info = dict(con.execute("SELECT key, value FROM main.store_info").fetchall())
    finally:
        con.close()
    assert info["qof_year"] == "2019-20" and info["cvdprevent_files"] == "cvdprevent.csv"
    rejects = read_csv(tmp_path / "both.rejects.csv")
    assert [(r["row_number"], r["field"]) for r in rejects] == [("2", "Numerator")]


def test_aggregates_never_go_into_a_patient_level_store(tmp_path: Path) -> None:
    db = tmp_path / "patients.duckdb"
    con = connect(db)
    create_contract_tables(con, {})
    con.disconnect()
    with pytest.raises(AggregateImportError, match="holds patient-level data"):
        import_qof(db, prevalence=demo.PREVALENCE, geography=demo.GEOGRAPHY)
