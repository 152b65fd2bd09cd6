"""`joinedup run` and `joinedup progress` with `--engine spark` give DuckDB's outputs exactly.

A small synthetic ICS (every practice of the West Yorkshire footprint, a few patients each) is
generated, loaded into a DuckDB store and run on both engines: Spark from the store (its Parquet
copy) and from the generator's own Parquet tables, with `patients` split into parts. The outputs
must be the same files, row for row. Spark runs on the test worker's one session
(tests/fixtures/spark.py), which the engine reuses and leaves running.
"""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from joinedup.app.load import load
from joinedup.app.synth import generate
from joinedup.cli.main import app

REF = date(2026, 3, 31)
COMPARED = ("practices.csv", "rollups.csv", "breakdowns.csv", "pcn_need.csv")


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the generator's Parquet folder, the store loaded from it)."""
    root = tmp_path_factory.mktemp("spark-synth")
    generate(root / "source", patients=3_000, seed=5, density="programme")
    report = load(root / "source", root / "store.duckdb", today=REF)
    assert report.rejected == 0  # so the folder and the store hold the same rows
    return root / "source", root / "store.duckdb"


def _invoke(*args: str) -> Any:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def _same_outputs(left: Path, right: Path) -> None:
    for name in COMPARED:
        assert _rows(left / name) == _rows(right / name), name
    summaries = [json.loads((d / "summary.json").read_text()) for d in (left, right)]
    assert summaries[0] == summaries[1]


def _split_patients(folder: Path, into: Path) -> Path:
    """`folder`'s tables with `patients` as a folder of two Parquet parts, as Spark and data
    platforms write a table (`patients/part-*.parquet`); the other tables as they are."""
    into.mkdir()
    for table in folder.glob("*.parquet"):
        if table.stem == "patients":
            data = pq.read_table(table)
            (into / "patients").mkdir()
            half = data.num_rows // 2
            pq.write_table(data.slice(0, half), into / "patients" / "part-0.parquet")
            pq.write_table(data.slice(half), into / "patients" / "part-1.parquet")
        else:
            (into / table.name).symlink_to(table)
    return into


def test_run_on_spark_writes_duckdbs_outputs(
    synthetic: tuple[Path, Path], tmp_path: Path, spark_session: Any
) -> None:
    """From the store (Spark reads its Parquet copy) and from a Parquet folder whose patients
    table is a folder of parts (so one run covers both layouts a folder may have)."""
    folder, store = synthetic
    parts = _split_patients(folder, tmp_path / "parts")
    common = ("run", "af", "--date", REF.isoformat(), "--out")
    _invoke(*common, str(tmp_path / "duckdb"), "--db", str(store))
    _invoke(*common, str(tmp_path / "store"), "--db", str(store), "--engine", "spark")
    _invoke(*common, str(tmp_path / "folder"), "--db", str(parts), "--engine", "spark")

    practices = _rows(tmp_path / "duckdb" / "practices.csv")
    assert len(practices) > 300 and sum(int(r["eligible"]) for r in practices) > 20
    _same_outputs(tmp_path / "duckdb", tmp_path / "store")
    _same_outputs(tmp_path / "duckdb", tmp_path / "folder")
    # The engine reused the tests' session and left it running.
    assert not spark_session.sparkContext._jsc.sc().isStopped()


def test_progress_on_spark_gives_duckdbs_series(
    synthetic: tuple[Path, Path], tmp_path: Path, spark_session: Any
) -> None:
    _folder, store = synthetic
    common = ("progress", "hypertension", "--db", str(store), "--to", REF.isoformat(),
              "--periods", "2", "--out")
    _invoke(*common, str(tmp_path / "duckdb"))
    _invoke(*common, str(tmp_path / "spark"), "--engine", "spark")
    for name in ("progress.csv", "improvers.csv"):
        assert _rows(tmp_path / "duckdb" / name) == _rows(tmp_path / "spark" / name), name


def _fails(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    return result.output


def test_a_folder_without_patients_is_one_clear_line(tmp_path: Path, spark_session: Any) -> None:
    empty = tmp_path / "lake"
    empty.mkdir()
    output = _fails("run", "af", "--db", str(empty), "--out", str(tmp_path / "o"),
                    "--engine", "spark")
    assert "lake: no organisations table" in output and "organisations.parquet" in output


def test_a_table_missing_a_contract_column_is_named(
    synthetic: tuple[Path, Path], tmp_path: Path, spark_session: Any
) -> None:
    folder, _store = synthetic
    lake = tmp_path / "lake"
    lake.mkdir()
    for table in folder.glob("*.parquet"):
        data = pq.read_table(table)
        if table.stem == "patients":
            data = data.drop_columns(["sex"])
        pq.write_table(data, lake / table.name)
    output = _fails("run", "af", "--db", str(lake), "--out", str(tmp_path / "o"),
                    "--engine", "spark")
    assert "patients.parquet is missing columns: sex" in output


def test_unknown_engine_lists_the_engines(synthetic: tuple[Path, Path], tmp_path: Path) -> None:
    _folder, store = synthetic
    output = _fails("run", "af", "--db", str(store), "--out", str(tmp_path / "o"),
                    "--engine", "oracle")
    assert "unknown engine 'oracle'" in output and "duckdb, spark" in output


def test_a_master_is_refused_for_duckdb(synthetic: tuple[Path, Path], tmp_path: Path) -> None:
    _folder, store = synthetic
    output = _fails("run", "af", "--db", str(store), "--out", str(tmp_path / "o"),
                    "--spark-master", "local[2]")
    assert "the duckdb engine runs in this process; it takes no master" in output


def test_duckdb_still_refuses_a_folder(synthetic: tuple[Path, Path], tmp_path: Path) -> None:
    folder, _store = synthetic
    output = _fails("run", "af", "--db", str(folder), "--out", str(tmp_path / "o"))
    assert "is a folder, not a database file" in output
