"""Finding the files of a load, and the one-line errors for those that cannot be used."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from joinedup.domain.contract import table
from joinedup.store.errors import LoadError
from joinedup.store.source_files import discover, read_error

ORG_HEADER = "org_code,name,org_type,parent_code,valid_from,valid_to\n"
PATIENT_HEADER = ",".join(table("patients").column_names) + "\n"


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    yield connection
    connection.close()


def folder(tmp_path: Path, **files: str) -> Path:
    for name, text in files.items():
        (tmp_path / name.replace("_csv", ".csv")).write_text(text)
    return tmp_path


def test_finds_required_and_optional_tables_and_lists_other_files(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    src = folder(
        tmp_path,
        organisations_csv=ORG_HEADER,
        patients_csv=PATIENT_HEADER,
        medications_csv="patient_id,date,dmd_code,extra\n",
        README="notes",
    )
    found, ignored = discover(src, con)
    assert sorted(found) == ["medications", "organisations", "patients"]
    assert found["medications"].ignored_columns == ("extra",)
    assert ignored == ("README",)


def test_a_missing_folder(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(LoadError, match=r"source folder .*nope does not exist"):
        discover(tmp_path / "nope", con)


def test_a_missing_required_table_is_named(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    src = folder(tmp_path, organisations_csv=ORG_HEADER)
    with pytest.raises(LoadError) as caught:
        discover(src, con)
    assert "no patients.parquet or patients.csv" in str(caught.value)
    assert "required" in str(caught.value)


def test_two_files_for_one_table(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    src = folder(tmp_path, organisations_csv=ORG_HEADER, patients_csv=PATIENT_HEADER)
    pq.write_table(pa.table({"org_code": ["A"]}), src / "organisations.parquet")
    with pytest.raises(LoadError, match=r"both organisations\.parquet and organisations\.csv"):
        discover(src, con)


def test_missing_columns_are_listed(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    src = folder(tmp_path, organisations_csv=ORG_HEADER, patients_csv="patient_id,sex\n")
    with pytest.raises(LoadError) as caught:
        discover(src, con)
    message = str(caught.value)
    assert message.startswith("patients.csv is missing columns: nhs_number, birth_date,")
    assert "sex," not in message.split("(")[0]


def test_missing_parquet_columns_are_listed(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    src = folder(tmp_path, patients_csv=PATIENT_HEADER)
    pq.write_table(pa.table({"org_code": ["A"], "name": ["B"]}), src / "organisations.parquet")
    with pytest.raises(LoadError, match=r"organisations.parquet is missing columns: org_type,"):
        discover(src, con)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "organisations.csv is empty: expected a header row"),
        ("org_code,org_code\n", "organisations.csv names a column more than once: org_code"),
    ],
)
def test_unusable_headers(
    tmp_path: Path, con: duckdb.DuckDBPyConnection, text: str, message: str
) -> None:
    src = folder(tmp_path, organisations_csv=text, patients_csv=PATIENT_HEADER)
    with pytest.raises(LoadError, match=message):
        discover(src, con)


def test_a_file_that_is_not_utf8(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    src = folder(tmp_path, patients_csv=PATIENT_HEADER)
    (src / "organisations.csv").write_bytes("org_c\u00f4de\n".encode("latin-1"))
    with pytest.raises(LoadError, match=r"organisations\.csv is not UTF-8 text"):
        discover(src, con)


def test_a_corrupt_parquet_file(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    src = folder(tmp_path, organisations_csv=ORG_HEADER)
    (src / "patients.parquet").write_bytes(b"PAR1 this is not really parquet")
    with pytest.raises(LoadError, match=r"patients\.parquet cannot be read as Parquet"):
        discover(src, con)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("A,Secret Name,ics,,,,EXTRA\n", "organisations.csv line 2: expected 6 fields, found 7"),
        ("A,Secret Name,ics\n", "organisations.csv line 2: expected 6 fields, found 3"),
        ('A,"Secret Name,ics,,,\n', "organisations.csv line 2: a quoted value is never closed"),
    ],
)
def test_malformed_csv_lines_are_located_without_quoting_them(
    tmp_path: Path, con: duckdb.DuckDBPyConnection, body: str, message: str
) -> None:
    src = folder(tmp_path, organisations_csv=ORG_HEADER + body, patients_csv=PATIENT_HEADER)
    found, _ = discover(src, con)
    source = found["organisations"]
    with pytest.raises(duckdb.Error) as caught:
        con.execute(f"SELECT * FROM {source.reader_sql()}").fetchall()
    error = read_error(source, caught.value)
    assert str(error) == message
    assert "Secret" not in str(error)


def test_csv_dialect_is_fixed_not_sniffed(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    # A sniffer can take a later consistent block for the header and drop the rows above it.
    body = "A,The ICS,ics,,,\nB,Place; with semicolons,place,A,,\n"
    src = folder(tmp_path, organisations_csv=ORG_HEADER + body, patients_csv=PATIENT_HEADER)
    found, _ = discover(src, con)
    rows = con.execute(f"SELECT org_code, name FROM {found['organisations'].reader_sql()}")
    assert rows.fetchall() == [("A", "The ICS"), ("B", "Place; with semicolons")]
