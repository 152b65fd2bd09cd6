"""The Spark engine's own parts: which master, what a missing pyspark or Java says, the Parquet
copy of a DuckDB store (made privately, rejects left out, deleted on close), and an aggregate
store measured on Spark as on DuckDB."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from joinedup.app.imports import import_qof
from joinedup.app.store import EngineChoice, open_store
from joinedup.engines import spark
from joinedup.engines.duckdb import connect as duckdb_connect
from joinedup.engines.tables import create_contract_tables
from joinedup.programmes import load_parameters, load_programme

Writer = Callable[..., Path]


def test_the_master_is_the_option_then_the_environment_then_local_mode(monkeypatch) -> None:
    monkeypatch.delenv(spark.MASTER_ENV, raising=False)
    assert spark.master_url() == "local[*]"
    monkeypatch.setenv(spark.MASTER_ENV, "spark://cluster:7077")
    assert spark.master_url() == "spark://cluster:7077"
    assert spark.master_url("local[2]") == "local[2]"


def _no_active_session(monkeypatch) -> None:
    from pyspark.sql import SparkSession

    monkeypatch.setattr(SparkSession, "getActiveSession", classmethod(lambda cls: None))


def test_without_java_the_engine_says_what_to_install(monkeypatch) -> None:
    _no_active_session(monkeypatch)
    monkeypatch.setattr(spark.shutil, "which", lambda _name: None)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(spark.SparkUnavailableError, match="openjdk-17-jre-headless"):
        spark.start_session()


def test_without_pyspark_the_engine_names_the_extra(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)  # importing it now fails
    with pytest.raises(spark.SparkUnavailableError, match=r"joinedup\[spark\]"):
        spark.start_session()


def test_spark_only_reads(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="does not write"):
        spark.connect(tmp_path, read_only=False)


@pytest.fixture
def store(tmp_path: Path) -> Path:
    db = tmp_path / "ics.duckdb"
    con = duckdb_connect(db)
    create_contract_tables(con, {
        "organisations": [{"org_code": "P1", "name": "A practice", "org_type": "practice"}],
    })
    con.raw_sql("CREATE TABLE rejects (file VARCHAR, reason VARCHAR)")
    con.disconnect()
    return db


def test_a_store_is_copied_to_parquet_without_its_rejects(store: Path, tmp_path: Path) -> None:
    folder = tmp_path / "copy"
    folder.mkdir()
    names = spark.export_store(store, folder)
    assert "rejects" not in names and {"organisations", "patients"} <= set(names)
    assert sorted(p.stem for p in folder.iterdir()) == sorted(names)


def test_the_copy_is_private_and_goes_when_the_connection_closes(
    store: Path, spark_session: Any
) -> None:
    con = spark.connect(store)
    copy, started = con.cleanup
    assert copy is not None and copy.is_dir() and started is None  # the tests' session
    assert copy.stat().st_mode & 0o077 == 0  # nobody else can read it
    assert con.table("organisations").count().execute() == 1
    con.disconnect()
    assert not copy.exists()
    assert not spark_session.sparkContext._jsc.sc().isStopped()  # not ours to stop


def test_an_aggregate_store_gives_the_same_practice_rows_on_spark(
    tmp_path: Path, write: Writer, geography: Path, spark_session: Any
) -> None:
    db = tmp_path / "qof.duckdb"
    import_qof(
        db, geography=geography,
        prevalence=write("PREVALENCE_1920.csv",
                         "PRACTICE_CODE,GROUP_CODE,REGISTER,PATIENT_LIST_TYPE,PATIENT_LIST_SIZE",
                         "A00001,AF,10,TOTAL,100", "A00002,AF,5,TOTAL,200"),
        achievement=write("ACHIEVEMENT_1920.csv", "PRACTICE_CODE,INDICATOR_CODE,MEASURE,VALUE",
                          "A00001,AF001,REGISTER,10", "A00001,AF007,DENOMINATOR,8",
                          "A00001,AF007,NUMERATOR,6", "A00001,AF007,PCAS,1"),
    )
    programme = load_programme("af")
    parameters = load_parameters(programme, None)
    rows = {}
    for engine in ("duckdb", "spark"):
        with open_store(db, engine=EngineChoice(engine)) as opened:
            day = opened.reference_date()
            rows[engine], _notes = opened.kind.practice_counts(
                opened.con, programme, day, parameters, {}
            )
    assert day == date(2020, 3, 31)
    assert [r.recorded for r in rows["duckdb"]] == [10, 5]
    assert rows["spark"] == rows["duckdb"]


def test_a_parquet_file_spark_cannot_read_is_named(
    store: Path, tmp_path: Path, spark_session: Any
) -> None:
    """Nanosecond timestamps (pyarrow's default for pandas data) are beyond Spark's reader."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    lake = tmp_path / "lake"
    lake.mkdir()
    spark.export_store(store, lake)
    pq.write_table(pa.table({"start": pa.array([0], pa.timestamp("ns"))}),
                   lake / "encounters.parquet")
    with pytest.raises(spark.SparkTablesError, match=r"^encounters.parquet: Spark cannot read it"):
        spark.connect(lake)
