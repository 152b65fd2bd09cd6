"""The practice measure rows an aggregate store gives, worked out by hand for a tiny footprint."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from joinedup.app.imports import import_cvdprevent, import_qof
from joinedup.domain.programme import prevalence_bands
from joinedup.engines.aggregates import (
    AggregateStoreError,
    aggregate_period_end,
    is_aggregate_store,
    practice_counts,
)
from joinedup.engines.duckdb import connect
from joinedup.programmes import load_parameters, load_programme
from joinedup.sources.qof.age_structure import (
    STRUCTURES,
    PrevalenceByAge,
    england_shape,
    expected_from_single_years,
    rake_age_bases,
)

Writer = Callable[..., Path]  # the `write` fixture (conftest.py)
END = date(2020, 3, 31)
PREVALENCE = (
    "PRACTICE_CODE,GROUP_CODE,REGISTER,PATIENT_LIST_TYPE,PATIENT_LIST_SIZE",
    "A00001,AF,10,TOTAL,100",
    "A00001,HYP,20,TOTAL,100",
    "A00002,AF,5,TOTAL,200",
)
QUINARY = (
    "PUBLICATION,EXTRACT_DATE,TYPE,CCG_CODE,ONS_CCG_CODE,ORG_CODE,POSTCODE,SEX,AGE_GROUP_5,"
    "NUMBER_OF_PATIENTS",
    "GP_PRAC_PAT_LIST,01JAN2020,GP,01A,E38000999,A00001,AB1 2CD,MALE,75_79,100",
)
ACHIEVEMENT = (
    "PRACTICE_CODE,INDICATOR_CODE,MEASURE,VALUE",
    "A00001,AF001,REGISTER,10",
    "A00001,AF007,DENOMINATOR,8",
    "A00001,AF007,NUMERATOR,6",
    "A00001,AF007,PCAS,1",
    "A00001,HYP003,DENOMINATOR,10",
    "A00001,HYP003,NUMERATOR,7",
    "A00001,HYP003,PCAS,1",
    "A00001,HYP007,DENOMINATOR,5",
    "A00001,HYP007,NUMERATOR,4",
    "A00001,HYP007,PCAS,0",
)
CVD_HEADER = (
    "AreaCode,AreaName,CategoryAttribute,Denominator,Factor,IndicatorCode,IndicatorName,"
    "IndicatorShortName,LowerConfidenceLimit,MetricCategoryName,MetricCategoryTypeName,"
    "Numerator,TimePeriodName,UpperConfidenceLimit,Value,ValueNote"
)


def cvd_row(area: str, denominator: str, numerator: str, note: str = "",
            period: str = "To March 2020", category: str = "Persons") -> str:
    value = "" if not numerator else f"{100 * float(numerator) / float(denominator):.1f}"
    return (f"{area},Practice {area},Persons,{denominator},,CVDP002AF,Anticoagulated AF,"
            f"AF: anticoagulated,,{category},Sex,{numerator},{period},,{value},{note}")


def counts(
    db: Path, programme: str = "af", on: date = END
) -> tuple[dict[str, Any], dict[str, Any]]:
    definition = load_programme(programme)
    con = connect(db, read_only=True)
    try:
        rows, notes = practice_counts(con, definition, on, load_parameters(definition, None))
    finally:
        con.disconnect()
    return {r.practice_code: r for r in rows}, notes


@pytest.fixture
def store(tmp_path: Path, write: Writer, geography: Path) -> Iterator[Path]:
    db = tmp_path / "qof.duckdb"
    import_qof(
        db, prevalence=write("PREVALENCE_1920.csv", *PREVALENCE), geography=geography,
        achievement=write("ACHIEVEMENT_1920.csv", *ACHIEVEMENT),
        ages=write("gp-reg-pat-prac-quin-age.csv", *QUINARY),
        imd=write("practice_imd.csv", "practice_code,imd_score,imd_decile", "A00001,30.1,3"),
    )
    yield db


def test_each_measure_comes_from_its_published_figure(store: Path) -> None:
    rows, notes = counts(store)
    assert sorted(rows) == ["A00001", "A00002"]  # A00003 has no prevalence row
    one = rows["A00001"]
    assert (one.list_size, one.recorded) == (100, 10)
    assert one.expected == pytest.approx(16.0)  # 100 men aged 75-79 at 16%
    # AF007: denominator 8 leaves out 1 PCA; eligible keeps it in, as patient-level data does.
    assert (one.eligible, one.treated, one.exceptions) == (9, 6, 1)
    assert one.imd_quintile == 2
    assert (one.period_end, one.pcn_code, one.sub_icb_code, one.ics_code) == (
        END, "U00001", "01A", "Q99")
    two = rows["A00002"]
    assert (two.eligible, two.treated, two.exceptions, two.imd_quintile) == (None,) * 4
    assert notes["treatment_indicator"].startswith("AF007")
    assert notes["practices_left_out"] == [
        {"practices": 1, "reason": "not in the prevalence file for group AF"}]
    assert notes["practices_without_imd"] == 1


def test_the_notes_say_which_age_structure_served_each_practice(store: Path) -> None:
    _rows, notes = counts(store)
    assert notes["age_structures"] == {STRUCTURES["age_sex_5y"]: 1,
                                       STRUCTURES["list_size_only"]: 1}
    assert notes["age_structure"].startswith("mixed: 5-year age bands by sex")


def test_without_an_age_file_the_prevalence_files_own_list_types_are_raked(
    tmp_path: Path, write: Writer, geography: Path
) -> None:
    """A practice with no imported age structure falls back on the list types its prevalence
    rows carry (read only then), or on its list size alone when they cannot be raked."""
    db = tmp_path / "qof.duckdb"
    import_qof(db, geography=geography, prevalence=write(
        "PREVALENCE_1920.csv",
        "PRACTICE_CODE,GROUP_CODE,REGISTER,PATIENT_LIST_TYPE,PATIENT_LIST_SIZE",
        "A00001,AF,10,TOTAL,100",
        "A00001,DEM,2,TOTAL,100",
        "A00001,CKD,4,18OV,78",
        "A00001,CAN,3,16OV,80",
        "A00002,AF,5,TOTAL,200",
    ))
    rows, notes = counts(db)
    assert notes["age_structures"] == {STRUCTURES["qof_list_types"]: 1,
                                       STRUCTURES["list_size_only"]: 1}
    definition = load_programme("af")
    rates = PrevalenceByAge.from_bands(
        prevalence_bands(load_parameters(definition, None)[definition.expected_prevalence]))
    single, _converged = rake_age_bases(
        [{"TOTAL": 100, "18OV": 78, "16OV": 80}, {"TOTAL": 200}], england_shape())
    by_hand = expected_from_single_years(single, england_shape(), rates)
    assert rows["A00001"].expected == pytest.approx(float(by_hand[0]), abs=1e-6)
    assert rows["A00002"].expected == pytest.approx(float(by_hand[1]), abs=1e-6)


def test_the_notes_say_which_measures_are_missing_and_why(store: Path) -> None:
    _rows, notes = counts(store)
    assert [m["measure"] for m in notes["missing_measures"]] == [
        "eligible", "treated", "exceptions"]
    assert all(m["practices"] == 1 for m in notes["missing_measures"])
    assert notes["missing_measures"][0]["reason"] == (
        "the achievement file has no AF007 rows for these practices")
    assert notes["measure_sources"]["eligible_treated_exceptions"] == {"QOF AF007": 1,
                                                                       "none": 1}


def test_cvdprevent_fills_treatment_where_qof_has_none(store: Path, write: Writer) -> None:
    import_cvdprevent(store, [write("cvdprevent.csv", CVD_HEADER,
                                    cvd_row("A00002", "4", "3"),
                                    cvd_row("A00002", "2", "2", category="Male"),
                                    cvd_row("A00002", "9", "9", period="To June 2020"))])
    rows, notes = counts(store)
    two = rows["A00002"]
    assert (two.eligible, two.treated, two.exceptions) == (4, 3, None)
    assert (rows["A00001"].eligible, rows["A00001"].treated) == (9, 6)  # QOF first
    reasons = {m["measure"]: m["reason"] for m in notes["missing_measures"]}
    assert reasons == {"exceptions": "CVDPREVENT does not publish personalised care adjustments"}


def test_suppressed_cvdprevent_values_stay_unknown(
    tmp_path: Path, write: Writer, geography: Path
) -> None:
    db = tmp_path / "cvd.duckdb"
    import_qof(db, prevalence=write("PREVALENCE_1920.csv", *PREVALENCE), geography=geography)
    import_cvdprevent(db, [write("cvd.csv", CVD_HEADER, cvd_row(
        "A00002", "", "", note="Value suppressed for disclosure control"))])
    rows, notes = counts(db)
    assert (rows["A00002"].eligible, rows["A00002"].treated) == (None, None)
    reasons = {(m["measure"], m["reason"]) for m in notes["missing_measures"]}
    assert ("eligible", "CVDPREVENT CVDP002AF value suppressed or not published") in reasons
    assert any("no QOF achievement file was imported" in r for _m, r in reasons)


def test_hypertension_sums_the_two_age_groups_indicators(store: Path) -> None:
    rows, notes = counts(store, "hypertension")
    one = rows["A00001"]
    assert (one.recorded, one.eligible, one.treated, one.exceptions) == (20, 16, 11, 1)
    assert notes["treatment_indicator"].startswith("HYP003 + HYP007")
    assert "A00002" not in rows  # no HYP register published for it


def test_a_date_outside_the_qof_year_is_refused(store: Path) -> None:
    with pytest.raises(AggregateStoreError, match=r"QOF 2019-20 \(2019-04-01 to 2020-03-31\)"):
        counts(store, on=date(2021, 3, 31))


def test_the_store_knows_its_kind_and_period(store: Path) -> None:
    con = connect(store, read_only=True)
    try:
        assert is_aggregate_store(con)
        assert aggregate_period_end(con) == END
    finally:
        con.disconnect()


AGE_BASES = (
    "PRACTICE_CODE,TOTAL,16OV,18OV,0_64,65OV",
    "A00001,100,80,78,70,30",
    "A00002,200,150,140,190,10",
)


def test_age_bases_are_raked_once_at_import_and_a_run_uses_them(
    tmp_path: Path, write: Writer, geography: Path
) -> None:
    db = tmp_path / "qof.duckdb"
    import_qof(db, prevalence=write("PREVALENCE_1920.csv", *PREVALENCE), geography=geography,
               ages=write("age_bases.csv", *AGE_BASES))
    raked = duckdb.connect(str(db), read_only=True)
    try:
        stored = {code: (converged, people) for code, converged, people in raked.execute(
            "SELECT practice_code, converged, patients_by_age FROM age_bases_raked").fetchall()}
    finally:
        raked.close()
    assert sorted(stored) == ["A00001", "A00002"] and all(c for c, _ in stored.values())
    people = stored["A00001"][1]
    assert len(people) == 91  # single years 0..89 and 90+
    assert sum(people) == pytest.approx(100) and sum(people[65:]) == pytest.approx(30)
    assert sum(people[16:]) == pytest.approx(80) and sum(people[18:]) == pytest.approx(78)

    rows, notes = counts(db)
    assert notes["age_structures"] == {STRUCTURES["qof_age_bases"]: 2}
    # The run's expected is the one raking at run time gives.
    bases = [{"TOTAL": 100, "16OV": 80, "18OV": 78, "0_64": 70, "65OV": 30},
             {"TOTAL": 200, "16OV": 150, "18OV": 140, "0_64": 190, "65OV": 10}]
    definition = load_programme("af")
    rates = PrevalenceByAge.from_bands(
        prevalence_bands(load_parameters(definition, None)[definition.expected_prevalence]))
    single, _converged = rake_age_bases(bases, england_shape())
    by_hand = expected_from_single_years(single, england_shape(), rates)
    assert rows["A00001"].expected == pytest.approx(float(by_hand[0]), abs=1e-6)
    assert rows["A00002"].expected == pytest.approx(float(by_hand[1]), abs=1e-6)

    # The stored structure is what the run reads: doubled, expected doubles ...
    _rewrite(db, "UPDATE age_bases_raked SET patients_by_age = "
                 "list_transform(patients_by_age, lambda x: x * 2)")
    doubled, _ = counts(db)
    assert doubled["A00001"].expected == pytest.approx(2 * rows["A00001"].expected)
    # ... unless it was fitted to another England shape: then the run rakes again.
    _rewrite(db, "UPDATE store_info SET value = 'another' WHERE key = 'age_bases_raked_shape'")
    again, _ = counts(db)
    assert again["A00001"].expected == pytest.approx(rows["A00001"].expected, abs=1e-9)


def _rewrite(db: Path, sql: str) -> None:
    """Change a store behind joinedup's back (to see what a run reads)."""
    con = duckdb.connect(str(db))
    try:
        con.execute(sql)
    finally:
        con.close()
