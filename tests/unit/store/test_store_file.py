"""What is at a store path, and DuckDB's refusals told in a user's words."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from joinedup.store.store_file import check_whole, engine_problem, path_problem


def test_path_problem_names_each_kind_of_thing(tmp_path: Path) -> None:
    (tmp_path / "empty").touch()
    (tmp_path / "text").write_text("hello, not a database\n")
    os.mkfifo(tmp_path / "pipe")
    duckdb.connect(str(tmp_path / "real.duckdb")).close()
    assert path_problem(tmp_path / "none") == "does not exist"
    assert path_problem(tmp_path) == "is a folder, not a database file"
    assert path_problem(tmp_path / "pipe") == "is not a regular file"
    assert path_problem(tmp_path / "empty") == "is empty"
    assert path_problem(tmp_path / "text") == "is not a DuckDB database"
    assert path_problem(tmp_path / "real.duckdb") is None


@pytest.mark.parametrize(
    ("exc", "words"),
    [
        (duckdb.IOException('IO Error: Could not set lock on file "/x/a.duckdb": Conflicting '
                            "lock is held in /usr/bin/python3 (PID 4242). See also https://..."),
         "is open in another program (process 4242); close it and try again"),
        (duckdb.IOException('IO Error: The file "/x/a.duckdb" exists, but it is not a valid '
                            "DuckDB database file!"), "is not a DuckDB database"),
        (duckdb.IOException('IO Error: Could not read enough bytes from file "/x/a.duckdb": '
                            "attempted to read 3192 bytes from location 5000"),
         "is damaged or truncated; load or import it again"),
        (duckdb.Error("Corrupt database file: computed checksum 1 does not match stored "
                      "checksum 0 in block at location 0"),
         "is damaged or truncated; load or import it again"),
        (duckdb.SerializationException("Serialization Error: Trying to read a database file "
                                       "with version number 99, but we can only read 64"),
         "was written by a DuckDB version this one cannot read"),
        (duckdb.IOException('IO Error: Cannot open file "/x/a.duckdb": Permission denied'),
         "cannot be opened (Permission denied)"),
        (duckdb.Error("something else\nover two lines"),
         "cannot be opened as a DuckDB store (something else)"),
    ],
)  # fmt: skip
def test_engine_problems_in_a_few_words(exc: duckdb.Error, words: str) -> None:
    assert engine_problem(exc) == words


def test_check_whole_finds_a_copy_cut_short(tmp_path: Path) -> None:
    db = tmp_path / "whole.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE t AS SELECT range AS i, random() AS r FROM range(200000)")
    cut = tmp_path / "cut.duckdb"
    cut.write_bytes(db.read_bytes()[: db.stat().st_size - 1])
    with duckdb.connect(str(db), read_only=True) as con:
        assert check_whole(con, db) is None
        # Whether DuckDB opens a cut copy depends on where its catalog sits, so the cut file is
        # judged by the blocks its whole original lists.
        assert check_whole(con, cut) == "is damaged or truncated; load or import it again"


def test_a_file_that_cannot_be_read_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                             ) -> None:
    # Permission bits do not stop root (as tests may run), so the refusal is simulated.
    locked = tmp_path / "locked.duckdb"
    duckdb.connect(str(locked)).close()

    def refuse(self: Path, *args: object, **kwargs: object) -> object:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", refuse)
    assert path_problem(locked) == "cannot be read (Permission denied)"
