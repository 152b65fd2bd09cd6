"""A load replaces the database whole or not at all, keeps a log, and is read back read-only."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import duckdb
import pytest

from joinedup.store import LoadError, StoreError, connect, ibis_connect, load
from joinedup.store.staging import TableLoad

TODAY = date(2025, 1, 1)
ORGS = """org_code,name,org_type,parent_code,valid_from,valid_to
ICS1,The ICS,ics,,,
PL1,A place,place,ICS1,,
PCN1,A PCN,pcn,PL1,,
P1,Practice one,practice,PCN1,,
"""
PATIENT_HEADER = (
    "patient_id,nhs_number,birth_date,sex,ethnicity,lsoa_code,imd_decile,practice_code,"
    "registered_from,registered_to,date_of_death,opted_out\n"
)
PATIENTS = [
    "1,9000000009,1950-01-01,F,White,,3,P1,2000-01-01,,,false\n",
    "2,9000000017,1960-01-01,M,Black,,5,P1,2000-01-01,,,false\n",
    "3,9000000025,1970-01-01,F,Mixed,,,P1,2000-01-01,,,true\n",
]
EVENTS = "patient_id,date,snomed_code,numeric_value\n1,2020-01-01,49436004,\n2,2020-01-01,1,2.5\n"


def folder(path: Path, patients: int = 3, events: str = EVENTS) -> Path:
    path.mkdir()
    (path / "organisations.csv").write_text(ORGS)
    (path / "patients.csv").write_text(PATIENT_HEADER + "".join(PATIENTS[:patients]))
    (path / "clinical_events.csv").write_text(events)
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def patient_ids(db: Path) -> list[int]:
    with duckdb.connect(str(db), read_only=True) as con:
        return [r[0] for r in con.execute("SELECT patient_id FROM patients ORDER BY 1").fetchall()]


@pytest.fixture
def loaded(tmp_path: Path) -> Path:
    """A database from a good first load, in its own folder with its rejects file."""
    out = tmp_path / "out"
    out.mkdir()
    db = out / "ics.duckdb"
    load(folder(tmp_path / "good"), db, today=TODAY)
    return db


def test_a_second_load_replaces_the_first(tmp_path: Path, loaded: Path) -> None:
    assert patient_ids(loaded) == [1, 2, 3]
    load(folder(tmp_path / "smaller", patients=2), loaded, today=TODAY)
    assert patient_ids(loaded) == [1, 2]


@pytest.mark.parametrize(
    ("failure", "raised"),
    [
        (RuntimeError("disk on fire"), RuntimeError),
        (KeyboardInterrupt(), KeyboardInterrupt),
        # What DuckDB 2.0 raises when Ctrl-C arrives during a query.
        (RuntimeError("Query interrupted"), KeyboardInterrupt),
    ],
)
def test_a_failure_mid_load_leaves_the_old_database_exactly_as_it_was(
    tmp_path: Path,
    loaded: Path,
    monkeypatch: pytest.MonkeyPatch,
    failure: BaseException,
    raised: type[BaseException],
) -> None:
    before = digest(loaded)
    rejects_before = (loaded.parent / "ics.rejects.csv").read_bytes()
    real_write = TableLoad.write
    reached: list[str] = []

    def write_then_fail(self: TableLoad) -> None:
        reached.append(self.table.name)
        if self.table.name == "clinical_events":  # patients were already written
            raise failure
        real_write(self)

    monkeypatch.setattr(TableLoad, "write", write_then_fail)
    with pytest.raises(raised):
        load(folder(tmp_path / "new", patients=2), loaded, today=TODAY)

    assert reached == ["organisations", "patients", "clinical_events"]
    assert digest(loaded) == before
    assert patient_ids(loaded) == [1, 2, 3]
    assert (loaded.parent / "ics.rejects.csv").read_bytes() == rejects_before
    assert sorted(p.name for p in loaded.parent.iterdir()) == ["ics.duckdb", "ics.rejects.csv"]


def test_a_bad_file_mid_load_leaves_the_old_database_and_names_the_line(
    tmp_path: Path, loaded: Path
) -> None:
    before = digest(loaded)
    bad_events = EVENTS + "3,2020-01-01,1,2.5,extra\n"
    with pytest.raises(
        LoadError, match=r"^clinical_events\.csv line 4: expected 4 fields, found 5$"
    ):
        load(folder(tmp_path / "bad", events=bad_events), loaded, today=TODAY)
    assert digest(loaded) == before
    assert sorted(p.name for p in loaded.parent.iterdir()) == ["ics.duckdb", "ics.rejects.csv"]


def test_a_failed_first_load_leaves_nothing_behind(tmp_path: Path) -> None:
    src = folder(tmp_path / "in")
    (src / "patients.csv").unlink()
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(LoadError, match=r"no patients\.parquet or patients\.csv"):
        load(src, out / "ics.duckdb", today=TODAY)
    assert list(out.iterdir()) == []


def test_the_load_log_keeps_every_load(tmp_path: Path, loaded: Path) -> None:
    load(folder(tmp_path / "second", patients=2), loaded, today=date(2025, 2, 1))
    with duckdb.connect(str(loaded), read_only=True) as con:
        rows = con.execute(
            "SELECT as_of, rows_in, loaded, rejected, joinedup_version, "
            "json_extract(counts, '$.patients.loaded')::INT, source_dir "
            "FROM load_log ORDER BY loaded_at"
        ).fetchall()
    assert [r[:4] for r in rows] == [(TODAY, 9, 9, 0), (date(2025, 2, 1), 8, 8, 0)]
    assert rows[1][4] == __import__("joinedup").__version__
    assert rows[1][5] == 2
    assert rows[1][6] == str((tmp_path / "second").resolve())


def test_connect_is_read_only_by_default(loaded: Path) -> None:
    with connect(loaded) as con:
        assert con.execute("SELECT count(*) FROM patients").fetchone() == (3,)
        with pytest.raises(duckdb.Error):
            con.execute("DELETE FROM patients")
    with connect(loaded, read_only=False) as con:
        con.execute("DELETE FROM patients WHERE patient_id = 3")
    assert patient_ids(loaded) == [1, 2]


def test_connect_to_a_missing_database_says_so(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"none\.duckdb: no store found; create it with `joinedup"):
        connect(tmp_path / "none.duckdb")
    assert not (tmp_path / "none.duckdb").exists()


def test_ibis_reads_the_store(loaded: Path) -> None:
    # (Ibis 12's list_tables needs a DuckDB method that DuckDB 2.0 dropped, so it is not used.)
    backend = ibis_connect(loaded)
    try:
        patients = backend.table("patients")
        assert patients.filter(patients.opted_out).count().execute() == 1
        assert str(patients.schema()["birth_date"]) == "date"
        assert backend.table("rejects").count().execute() == 0
        assert backend.table("load_log").count().execute() == 1
    finally:
        backend.disconnect()
