"""A load refuses a file most of whose rows it would reject, and reads real exports' dates.

Issue 9: a patients file whose dates read ``1949-12-20 00:00:00`` (as pandas writes them) had
every row rejected, every event with it, and replaced a good store with an empty one. A table
whose rejected share passes the limit now stops the load, naming the file and its commonest
reasons, and the previous store stays byte for byte as it was.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from joinedup.store import LoadError, load
from joinedup.store.reject_limit import DEFAULT_MAX_REJECTED_SHARE, TooManyRejectsError

TODAY = date(2025, 1, 1)
ORGS = """org_code,name,org_type,parent_code,valid_from,valid_to
ICS1,The ICS,ics,,,
PL1,A place,place,ICS1,,
PCN1,A PCN,pcn,PL1,,
P1,Practice one,practice,PCN1,,
"""
HEADER = (
    "patient_id,nhs_number,birth_date,sex,ethnicity,lsoa_code,imd_decile,practice_code,"
    "registered_from,registered_to,date_of_death,opted_out"
)
# Valid synthetic-range NHS numbers (9000000009, ...: the check digit is right for each).
NHS = ("9000000009", "9000000017", "9000000025", "9000000033", "9000000041")


def patients(*births: str, registered: str = "2000-01-01") -> str:
    """One patient row per birth date, each otherwise valid."""
    rows = [
        f"{i},{NHS[i - 1]},{birth},F,White,,3,P1,{registered},,,false"
        for i, birth in enumerate(births, 1)
    ]
    return "\n".join([HEADER, *rows]) + "\n"


GOOD = patients("1950-01-01", "1960-01-01", "1970-01-01")


def folder(path: Path, patient_rows: str = GOOD, events: str | None = None) -> Path:
    path.mkdir()
    (path / "organisations.csv").write_text(ORGS, encoding="utf-8")
    (path / "patients.csv").write_text(patient_rows, encoding="utf-8")
    if events is not None:
        (path / "clinical_events.csv").write_text(events, encoding="utf-8")
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def births(db: Path) -> list[date]:
    with duckdb.connect(str(db), read_only=True) as con:
        return [r[0] for r in con.execute("SELECT birth_date FROM patients ORDER BY 1").fetchall()]


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """A good store of three patients, in a folder of its own with its rejects CSV."""
    out = tmp_path / "out"
    out.mkdir()
    db = out / "ics.duckdb"
    load(folder(tmp_path / "good"), db, today=TODAY)
    return db


def test_the_default_limit_is_a_tenth() -> None:
    assert DEFAULT_MAX_REJECTED_SHARE == 0.1


def test_a_file_with_every_row_rejected_leaves_the_store_byte_identical(
    tmp_path: Path, store: Path
) -> None:
    before, rejects_before = digest(store), (store.parent / "ics.rejects.csv").read_bytes()
    bad = patients("1950/01/01", "1960/01/01", "1970/01/01")
    events = "patient_id,date,snomed_code,numeric_value\n1,2020-01-01,49436004,\n"
    with pytest.raises(TooManyRejectsError) as caught:
        load(folder(tmp_path / "bad", bad, events), store, today=TODAY)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("patients.csv: 3 of 3 rows rejected (100%)")
    assert "more than the 10% allowed" in message
    assert "3 × birth_date is not a date (YYYY-MM-DD)" in message
    assert f"{store} is unchanged" in message
    assert isinstance(caught.value, LoadError)
    assert digest(store) == before
    assert (store.parent / "ics.rejects.csv").read_bytes() == rejects_before
    assert sorted(p.name for p in store.parent.iterdir()) == ["ics.duckdb", "ics.rejects.csv"]
    assert births(store) == [date(1950, 1, 1), date(1960, 1, 1), date(1970, 1, 1)]


def test_the_limit_is_a_share_of_each_table_and_passing_it_refuses(
    tmp_path: Path, store: Path
) -> None:
    # One of three patients rejected: a share of 1/3 = 0.333...
    one_bad = patients("1950-01-01", "1960-13-01", "1970-01-01")
    before = digest(store)
    with pytest.raises(TooManyRejectsError, match=r"1 of 3 rows rejected \(33\.3%\)"):
        load(folder(tmp_path / "a", one_bad), store, today=TODAY, max_rejected_share=0.33)
    assert digest(store) == before
    report = load(folder(tmp_path / "b", one_bad), store, today=TODAY, max_rejected_share=0.34)
    assert (report.table("patients").loaded, report.table("patients").rejected) == (2, 1)
    assert births(store) == [date(1950, 1, 1), date(1970, 1, 1)]


def test_a_limit_of_one_accepts_any_share_and_keeps_the_rejects(tmp_path: Path) -> None:
    bad = patients("1950/01/01", "1960/01/01", "1970-01-01")
    db = tmp_path / "x.duckdb"
    report = load(folder(tmp_path / "in", bad), db, today=TODAY, max_rejected_share=1.0)
    t = report.table("patients")
    assert (t.rows_in, t.loaded, t.rejected) == (3, 1, 2)
    with duckdb.connect(str(db), read_only=True) as con:
        found = con.execute("SELECT file_name, row_number, field FROM rejects ORDER BY 2")
        assert found.fetchall() == [("patients.csv", 1, "birth_date"),
                                    ("patients.csv", 2, "birth_date")]


def test_the_commonest_reasons_are_counted_per_field_and_reason(tmp_path: Path) -> None:
    # Row 2: a bad birth date; rows 3 and 4: a bad birth date and a bad registration date;
    # row 5, otherwise good, repeats patient 4's id (its reason names a row, and still counts
    # as one reason).
    rows = patients("1950-01-01", "x", "y", "z", registered="2000-01-01").splitlines()
    rows[3] = rows[3].replace("2000-01-01", "2000/01/01")
    rows[4] = rows[4].replace("2000-01-01", "2000/01/01")
    rows.append("4,9000000041,1950-01-01,F,White,,3,P1,2000-01-01,,,false")
    with pytest.raises(TooManyRejectsError) as caught:
        load(folder(tmp_path / "in", "\n".join(rows) + "\n"), tmp_path / "x.duckdb",
             today=TODAY)
    message = str(caught.value)
    assert "patients.csv: 4 of 5 rows rejected (80%)" in message
    assert ("commonest reasons: 3 × birth_date is not a date (YYYY-MM-DD), "
            "2 × registered_from is not a date (YYYY-MM-DD), "
            "1 × patient_id repeats row …") in message
    assert not (tmp_path / "x.duckdb").exists()


def test_a_required_table_with_no_rows_is_refused(tmp_path: Path, store: Path) -> None:
    before = digest(store)
    with pytest.raises(LoadError, match=r"^patients\.csv holds no rows"):
        load(folder(tmp_path / "empty", HEADER + "\n"), store, today=TODAY)
    assert digest(store) == before


def test_cascaded_rejections_name_the_table_that_passed_the_limit_first(
    tmp_path: Path, store: Path
) -> None:
    # Every patient is fine but the events all point at a patient the file does not hold.
    events = "patient_id,date,snomed_code,numeric_value\n9,2020-01-01,49436004,\n"
    with pytest.raises(TooManyRejectsError, match=r"^clinical_events\.csv: 1 of 1 rows"):
        load(folder(tmp_path / "orphans", GOOD, events), store, today=TODAY)


@pytest.mark.parametrize(
    "birth",
    ["1949-12-20 00:00:00", "1949-12-20T00:00:00", "1949-12-20 00:00", "1949-12-20T00:00:00.000"],
)
def test_iso_dates_with_a_midnight_time_are_dates(tmp_path: Path, birth: str) -> None:
    db = tmp_path / "x.duckdb"
    report = load(folder(tmp_path / "in", patients(birth)), db, today=TODAY)
    assert report.table("patients").rejected == 0
    assert births(db) == [date(1949, 12, 20)]


def test_a_time_of_day_on_a_date_is_still_rejected(tmp_path: Path) -> None:
    rows = patients("1949-12-20 10:30:00", "1950-01-01", "1950-01-02", "1950-01-03",
                    "1950-01-04")
    db = tmp_path / "x.duckdb"
    report = load(folder(tmp_path / "in", rows), db, today=TODAY, max_rejected_share=0.2)
    assert report.table("patients").rejected == 1


@pytest.mark.parametrize(
    ("date_format", "text", "expected"),
    [
        ("DD/MM/YYYY", "20/12/1949", date(1949, 12, 20)),
        ("DD/MM/YYYY", "01/02/1950", date(1950, 2, 1)),  # day first: 1 February, not 2 January
        ("DD/MM/YYYY", "20/12/1949 00:00", date(1949, 12, 20)),
        ("dd/mm/yyyy", "1/2/1950", date(1950, 2, 1)),
        ("DD-MMM-YYYY", "20-Dec-1949", date(1949, 12, 20)),
        ("DD-MMM-YYYY", "01-FEB-1950", date(1950, 2, 1)),
        ("DD-MMM-YYYY", "1949-12-20", date(1949, 12, 20)),  # ISO is never ambiguous
    ],
)
def test_day_first_dates_load_when_the_format_is_declared(
    tmp_path: Path, date_format: str, text: str, expected: date
) -> None:
    db = tmp_path / "x.duckdb"
    report = load(folder(tmp_path / "in", patients(text, registered=text)), db, today=TODAY,
                  date_format=date_format)
    assert report.table("patients").rejected == 0
    assert births(db) == [expected]


def test_day_first_dates_are_never_guessed(tmp_path: Path) -> None:
    with pytest.raises(TooManyRejectsError, match=r"birth_date is not a date \(YYYY-MM-DD\)"):
        load(folder(tmp_path / "in", patients("01/02/1950")), tmp_path / "x.duckdb", today=TODAY)


def test_a_declared_format_is_named_in_the_reason(tmp_path: Path) -> None:
    with pytest.raises(
        TooManyRejectsError, match=r"birth_date is not a date \(DD/MM/YYYY or YYYY-MM-DD\)"
    ):
        load(folder(tmp_path / "in", patients("20-Dec-1949")), tmp_path / "x.duckdb",
             today=TODAY, date_format="DD/MM/YYYY")


def test_an_unknown_date_format_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match=r"date format 'MM/DD/YYYY' is not one of YYYY-MM-DD, "
                                        r"DD/MM/YYYY, DD-MMM-YYYY"):
        load(folder(tmp_path / "in"), tmp_path / "x.duckdb", today=TODAY,
             date_format="MM/DD/YYYY")
    assert not (tmp_path / "x.duckdb").exists()


def test_timestamps_follow_the_declared_format_too(tmp_path: Path) -> None:
    src = folder(tmp_path / "in")
    (src / "organisations.csv").write_text(ORGS + "T1,A trust,trust,ICS1,,\n", encoding="utf-8")
    (src / "encounters.csv").write_text(
        "encounter_id,patient_id,org_code,kind,start,end,snomed_code\n"
        "1,1,T1,admission,20/12/2019 10:30,21/12/2019 09:15:30,\n", encoding="utf-8")
    db = tmp_path / "x.duckdb"
    load(src, db, today=TODAY, date_format="DD/MM/YYYY")
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute('SELECT start, "end" FROM encounters').fetchone() == (
            datetime(2019, 12, 20, 10, 30), datetime(2019, 12, 21, 9, 15, 30)
        )
