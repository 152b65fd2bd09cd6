"""A store path that is not a usable DuckDB store is one `error:` line, never a traceback.

Issue 9, item 10, tried as a new user would: the wrong file, an empty file, a text file, a folder,
a missing folder, a folder that cannot be written, a damaged store, a store another program holds
open, a pipe. Every command that opens a store (`run`, `progress`, `load`, `import qof`,
`import cvdprevent`) answers each with exit code 2 and one line naming the path.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from joinedup.cli.main import app
from joinedup.domain.errors import UserError
from joinedup.store import StoreError, connect, ibis_connect, load

runner = CliRunner()
UNWRITABLE = Path("/proc")  # a folder nobody can create files in, root included

ORGS = """org_code,name,org_type,parent_code,valid_from,valid_to
ICS1,The ICS,ics,,,
PL1,A place,place,ICS1,,
PCN1,A PCN,pcn,PL1,,
P1,Practice one,practice,PCN1,,
"""
PATIENTS = """patient_id,nhs_number,birth_date,sex,ethnicity,lsoa_code,imd_decile,practice_code,\
registered_from,registered_to,date_of_death,opted_out
1,9000000009,1950-01-01,F,White,,3,P1,2000-01-01,,,false
"""
CVD = (
    "AreaCode,AreaName,CategoryAttribute,Denominator,Factor,IndicatorCode,IndicatorName,"
    "IndicatorShortName,LowerConfidenceLimit,MetricCategoryName,MetricCategoryTypeName,"
    "Numerator,TimePeriodName,UpperConfidenceLimit,Value,ValueNote\n"
    "A00001,Area,Persons,120,,CVDP002AF,AF anticoagulated,AF,,Persons,Sex,100,To March 2020,,,\n"
)
GEOGRAPHY = (
    "STP_ODS_CODE,STP_NAME,CCG_ODS_CODE,CCG_NAME,PCN_ODS_CODE,PCN_NAME,PRACTICE_CODE,"
    "PRACTICE_NAME\nQ99,An STP,01A,A CCG,U00001,A PCN,A00001,Practice one\n"
)
PREVALENCE = ("PRACTICE_CODE,GROUP_CODE,REGISTER,PATIENT_LIST_TYPE,PATIENT_LIST_SIZE\n"
              "A00001,AF,100,TOTAL,5000\n")


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("inputs")
    src = root / "extract"
    src.mkdir()
    (src / "organisations.csv").write_text(ORGS, encoding="utf-8")
    (src / "patients.csv").write_text(PATIENTS, encoding="utf-8")
    files = {"extract": src}
    for key, name, text in (("cvd", "cvd.csv", CVD),
                            ("geography", "MAPPING_NHS_GEOGRAPHIES_2019_2020.csv", GEOGRAPHY),
                            ("prevalence", "PREVALENCE_1920.csv", PREVALENCE)):
        files[key] = root / name
        files[key].write_text(text, encoding="utf-8")
    files["store"] = root / "good.duckdb"
    load(src, files["store"])
    return files


Command = Callable[[Path, dict[str, Path], Path], list[str]]
READERS: dict[str, Command] = {
    "run": lambda db, f, out: ["run", "af", "--db", str(db), "--out", str(out)],
    "progress": lambda db, f, out: ["progress", "af", "--db", str(db), "--out", str(out)],
}
WRITERS: dict[str, Command] = {
    "load": lambda db, f, out: ["load", str(f["extract"]), "--db", str(db)],
    "import qof": lambda db, f, out: ["import", "qof", "--prevalence", str(f["prevalence"]),
                                      "--geography", str(f["geography"]), "--db", str(db)],
    "import cvdprevent": lambda db, f, out: ["import", "cvdprevent", str(f["cvd"]), "--db",
                                             str(db)],
}


def one_error_line(args: list[str], *expected: str) -> str:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, (args, result.output, result.exception)
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), (args, result.stderr)
    for text in expected:
        assert text in lines[0], (args, lines[0])
    return lines[0]


def text_file(tmp_path: Path) -> Path:
    path = tmp_path / "notes.duckdb"
    path.write_text("these are my notes, not a database\n", encoding="utf-8")
    return path


def random_bytes(tmp_path: Path) -> Path:
    path = tmp_path / "junk.duckdb"
    path.write_bytes(bytes(range(256)) * 40)
    return path


def lookalike(tmp_path: Path) -> Path:
    """Starts like a DuckDB file (the magic bytes) and is garbage after."""
    path = tmp_path / "lookalike.duckdb"
    path.write_bytes(b"\0" * 8 + b"DUCK" + bytes(range(256)) * 40)
    return path


def folder(tmp_path: Path) -> Path:
    path = tmp_path / "a-folder"
    path.mkdir()
    return path


def pipe(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.duckdb"
    os.mkfifo(path)
    return path


# path maker, the words a reader's error must hold, the words a writer's must hold
NOT_A_STORE: dict[str, tuple[Callable[[Path], Path], str, str]] = {
    "text file": (text_file, "is not a DuckDB database", "is not a DuckDB database"),
    "random bytes": (random_bytes, "is not a DuckDB database", "is not a DuckDB database"),
    "folder": (folder, "is a folder", "is a folder"),
    "pipe": (pipe, "is not a regular file", "is not a regular file"),
}


@pytest.mark.parametrize("kind", sorted(NOT_A_STORE))
@pytest.mark.parametrize("command", sorted(READERS | WRITERS))
def test_a_path_that_is_not_a_store(
    tmp_path: Path, inputs: dict[str, Path], command: str, kind: str
) -> None:
    make, read_words, write_words = NOT_A_STORE[kind]
    db = make(tmp_path)
    args = (READERS | WRITERS)[command](db, inputs, tmp_path / "out")
    one_error_line(args, db.name, read_words if command in READERS else write_words)
    assert db.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [db.name]  # nothing else written


@pytest.mark.parametrize("command", sorted(READERS))
def test_reading_an_empty_file_or_a_lookalike(
    tmp_path: Path, inputs: dict[str, Path], command: str
) -> None:
    empty = tmp_path / "empty.duckdb"
    empty.touch()
    one_error_line(READERS[command](empty, inputs, tmp_path / "out"), "empty.duckdb is empty")
    fake = lookalike(tmp_path)
    one_error_line(READERS[command](fake, inputs, tmp_path / "out"), "lookalike.duckdb",
                   "is damaged")


@pytest.mark.parametrize("command", sorted(READERS))
def test_reading_a_missing_store_or_folder(
    tmp_path: Path, inputs: dict[str, Path], command: str
) -> None:
    for db in (tmp_path / "none.duckdb", tmp_path / "no-folder" / "x.duckdb"):
        one_error_line(READERS[command](db, inputs, tmp_path / "out"), str(db))
        assert not db.exists()


@pytest.mark.parametrize("command", sorted(WRITERS))
def test_writing_where_no_file_can_be_created(
    tmp_path: Path, inputs: dict[str, Path], command: str
) -> None:
    missing = tmp_path / "no-folder" / "x.duckdb"
    one_error_line(WRITERS[command](missing, inputs, tmp_path), "no-folder", "does not exist")
    unwritable = UNWRITABLE / "x.duckdb"
    args = [*WRITERS[command](unwritable, inputs, tmp_path), "--rejects", str(tmp_path / "r.csv")]
    one_error_line(args, f"cannot create a database in {UNWRITABLE}")
    assert not (tmp_path / "r.csv").exists()


@pytest.mark.parametrize("command", sorted(WRITERS))
def test_a_rejects_path_that_cannot_be_written(
    tmp_path: Path, inputs: dict[str, Path], command: str
) -> None:
    db = tmp_path / "x.duckdb"
    for rejects, words in ((folder(tmp_path), "is a folder"),
                           (UNWRITABLE / "r.csv", f"cannot write {UNWRITABLE / 'r.csv'}")):
        one_error_line([*WRITERS[command](db, inputs, tmp_path), "--rejects", str(rejects)],
                       words)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-folder"]


def damaged(tmp_path: Path, store: Path, size: int) -> Path:
    path = tmp_path / f"damaged-{size}.duckdb"
    path.write_bytes(store.read_bytes()[:size])
    return path


@pytest.mark.parametrize("command", [*sorted(READERS), "import cvdprevent"])
def test_a_truncated_store(tmp_path: Path, inputs: dict[str, Path], command: str) -> None:
    whole = inputs["store"].stat().st_size
    for size in (5_000, whole // 2):  # inside the headers; inside the data blocks
        db = damaged(tmp_path, inputs["store"], size)
        args = (READERS | WRITERS)[command](db, inputs, tmp_path / "out")
        one_error_line(args, db.name, "is damaged", "truncated")
        assert db.stat().st_size == size


@pytest.fixture
def held_open(tmp_path: Path, inputs: dict[str, Path]) -> Iterator[Path]:
    """A copy of the store that another process holds open for writing."""
    db = tmp_path / "busy.duckdb"
    db.write_bytes(inputs["store"].read_bytes())
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys; con = duckdb.connect(sys.argv[1]); "
         "print('open', flush=True); sys.stdin.read()", str(db)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        yield db
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.parametrize("command", [*sorted(READERS), "import cvdprevent"])
def test_a_store_another_program_holds_open(
    tmp_path: Path, inputs: dict[str, Path], held_open: Path, command: str
) -> None:
    args = (READERS | WRITERS)[command](held_open, inputs, tmp_path / "out")
    one_error_line(args, "busy.duckdb is open in another program")


def test_the_store_errors_are_user_errors_from_python_too(tmp_path: Path) -> None:
    assert issubclass(StoreError, UserError)
    notes = text_file(tmp_path)
    for opener in (connect, ibis_connect):
        with pytest.raises(StoreError, match=r"notes\.duckdb is not a DuckDB database"):
            opener(notes)
