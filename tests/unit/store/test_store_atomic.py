"""The swap that makes a load all-or-nothing, and the targets it refuses."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from joinedup.domain.errors import UserError
from joinedup.store.atomic import (
    check_rejects,
    check_target,
    create_database,
    discard,
    publish,
    reserve,
    sibling,
    spill_folder,
    sweep,
)
from joinedup.store.errors import LoadError
from joinedup.store.store_file import is_duckdb_file


def make_db(path: Path, value: int) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE t AS SELECT ? AS v", [value])
    return path


def value_in(path: Path) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        row = con.execute("SELECT v FROM t").fetchone()
    assert row is not None
    return int(row[0])


def test_publish_replaces_the_target(tmp_path: Path) -> None:
    target = make_db(tmp_path / "ics.duckdb", 1)
    built = make_db(sibling(target, "loading"), 2)
    publish(built, target)
    assert value_in(target) == 2
    assert not built.exists()


def test_publish_moves_a_stale_write_ahead_log_out_of_the_way(tmp_path: Path) -> None:
    target = make_db(tmp_path / "ics.duckdb", 1)
    stale = target.with_name(target.name + ".wal")
    stale.write_bytes(b"left by a process that crashed while writing the old file")
    publish(make_db(sibling(target, "loading"), 2), target)
    assert not stale.exists()
    assert value_in(target) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ics.duckdb"]


def test_publish_puts_the_log_back_if_the_rename_fails(tmp_path: Path) -> None:
    target = make_db(tmp_path / "ics.duckdb", 1)
    wal = target.with_name(target.name + ".wal")
    wal.write_bytes(b"old log")
    with pytest.raises(FileNotFoundError):
        publish(tmp_path / "never-built.duckdb", target)
    assert wal.read_bytes() == b"old log"
    assert value_in(target) == 1


def test_discard_removes_the_database_and_what_duckdb_keeps_beside_it(tmp_path: Path) -> None:
    built = make_db(sibling(tmp_path / "ics.duckdb", "loading"), 1)
    built.with_name(built.name + ".wal").write_bytes(b"")
    spill = built.with_name(built.name + ".tmp")
    spill.mkdir()
    (spill / "block").write_bytes(b"x")
    discard(built)
    assert list(tmp_path.iterdir()) == []


def test_sibling_is_hidden_unique_and_beside_the_target(tmp_path: Path) -> None:
    a, b = sibling(tmp_path / "ics.duckdb", "loading"), sibling(tmp_path / "ics.duckdb", "loading")
    assert a != b
    assert a.parent == tmp_path
    assert a.name.startswith(".ics.duckdb.") and a.name.endswith(".loading")


def test_check_target_refuses_to_overwrite_a_file_that_is_not_duckdb(tmp_path: Path) -> None:
    target = tmp_path / "patients.csv"
    target.write_text("patient_id\n1\n")
    with pytest.raises(LoadError, match="is not a DuckDB database; refusing to overwrite"):
        check_target(target)
    assert target.read_text() == "patient_id\n1\n"


def test_check_target_accepts_new_empty_or_duckdb_files(tmp_path: Path) -> None:
    check_target(tmp_path / "new.duckdb")
    (tmp_path / "empty.duckdb").write_bytes(b"")
    check_target(tmp_path / "empty.duckdb")
    assert is_duckdb_file(make_db(tmp_path / "real.duckdb", 1))
    check_target(tmp_path / "real.duckdb")


def test_check_target_needs_an_existing_folder_and_a_file_path(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="does not exist"):
        check_target(tmp_path / "nowhere" / "ics.duckdb")
    with pytest.raises(LoadError, match="is a folder"):
        check_target(tmp_path)


def test_check_target_never_replaces_a_pipe_or_a_device(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.duckdb"
    os.mkfifo(fifo)
    with pytest.raises(LoadError, match=r"pipe\.duckdb is not a regular file; refusing"):
        check_target(fifo)
    with pytest.raises(LoadError, match=r"null is not a regular file; refusing"):
        check_target(Path(os.devnull))


def test_check_rejects_refuses_folders_pipes_and_the_database_itself(tmp_path: Path) -> None:
    db = tmp_path / "ics.duckdb"
    check_rejects(tmp_path / "ics.rejects.csv", db)
    os.mkfifo(tmp_path / "pipe.csv")
    for rejects, message in (
        (tmp_path, "is a folder"),
        (tmp_path / "pipe.csv", "not a regular"),
        (db, "must be different files"),
        (tmp_path / "no" / "r.csv", "folder .* does not exist"),
    ):
        with pytest.raises(LoadError, match=message):
            check_rejects(rejects, db)


def test_reserve_says_why_a_folder_refuses_a_file(tmp_path: Path) -> None:
    reserve(tmp_path / ".x.writing", tmp_path / "x.csv")
    assert (tmp_path / ".x.writing").read_bytes() == b""
    with pytest.raises(LoadError, match=r"^cannot write /proc/x\.csv: "):
        reserve(Path("/proc/.x.writing"), Path("/proc/x.csv"))


def test_create_database_names_the_folder_it_cannot_write(tmp_path: Path) -> None:
    create_database(tmp_path / "new.duckdb").close()
    assert is_duckdb_file(tmp_path / "new.duckdb")
    with pytest.raises(LoadError, match=r"^cannot create a database in /proc: "):
        create_database(Path("/proc/x.duckdb"))


def test_a_new_database_spills_beside_itself_rather_than_fail(tmp_path: Path) -> None:
    db = tmp_path / "new.duckdb"
    con = create_database(db)
    settings = dict(
        con.execute(
            "SELECT name, value FROM duckdb_settings() "
            "WHERE name IN ('temp_directory', 'preserve_insertion_order')"
        ).fetchall()
    )
    assert settings == {"temp_directory": str(spill_folder(db)), "preserve_insertion_order": "true"}
    con.execute("SET memory_limit = '100MB'")  # a load of 57 M patients, in miniature
    con.execute("CREATE TEMP TABLE big AS SELECT md5(range::VARCHAR) AS h FROM range(3000000)")
    spilled = sum(f.stat().st_size for f in spill_folder(db).iterdir())
    assert spilled > 0
    row = con.execute("SELECT count(*) FROM (SELECT h FROM big ORDER BY h)").fetchone()
    assert row == (3_000_000,)
    con.close()
    discard(db)
    assert not spill_folder(db).exists()


def ended_pid() -> int:
    """The id of a process that has finished (and so cannot be holding a file)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_sweep_removes_what_killed_loads_left_and_nothing_else(tmp_path: Path) -> None:
    target = tmp_path / "ics.duckdb"
    dead = ended_pid()
    ours = sibling(target, "loading")
    left = [
        p.with_name(p.name.replace(f"-{os.getpid()}-", f"-{dead}-"))
        for p in (
            sibling(target, "loading"),
            sibling(target, "importing"),
            sibling(tmp_path / "ics.rejects.csv", "writing"),
        )
    ]
    wal = left[0].with_name(left[0].name + ".wal")
    spill = left[0].with_name(left[0].name + ".tmp")
    other = sibling(tmp_path / "other.duckdb", "loading")
    kept = [
        ours,  # this process is still running
        target,
        other.with_name(other.name.replace(f"-{os.getpid()}-", f"-{dead}-")),  # another target
        tmp_path / f".ics.duckdb.{dead}.loading",  # not a name joinedup makes
        sibling(target, "old-wal"),  # an old database's log: never swept
    ]
    for path in (*left, wal, *kept):
        path.write_bytes(b"x")
    spill.mkdir()
    (spill / "block").write_bytes(b"x")

    removed = sweep(target, tmp_path / "ics.rejects.csv")

    assert sorted(removed) == sorted([*left, wal, spill])
    assert sorted(tmp_path.iterdir()) == sorted(kept)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="process start times need /proc")
def test_sweep_removes_a_file_whose_process_id_a_later_process_reuses(tmp_path: Path) -> None:
    # A killed import's file names its process id; when a process started after the file was
    # made holds that id now, it is another process, and the file is swept (a busy machine reuses
    # ids). The same id on a process that started before the file keeps it.
    target = tmp_path / "qof.duckdb"
    later = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        reused = sibling(target, "importing")
        reused = reused.with_name(reused.name.replace(f"-{os.getpid()}-", f"-{later.pid}-"))
        reused.write_bytes(b"x")
        made = reused.stat().st_mtime - 600  # made ten minutes before `later` started
        os.utime(reused, (made, made))
        mine = sibling(target, "loading")  # this process started before its own file
        mine.write_bytes(b"x")

        assert sweep(target) == [reused]
        assert sorted(tmp_path.iterdir()) == [mine]
    finally:
        later.kill()
        later.wait()


def test_the_memory_limit_asked_for_applies_to_a_load_and_to_reading_a_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from joinedup.store.reading import connect

    monkeypatch.setenv("JOINEDUP_MEMORY_LIMIT", "300MiB")
    path = tmp_path / "new.duckdb"
    building = create_database(path)
    assert building.execute("SELECT current_setting('memory_limit')").fetchone() == ("300.0 MiB",)
    building.close()
    reading = connect(path)
    assert reading.execute("SELECT current_setting('memory_limit')").fetchone() == ("300.0 MiB",)
    reading.close()
    monkeypatch.setenv("JOINEDUP_MEMORY_LIMIT", "lots")
    with pytest.raises(UserError, match="JOINEDUP_MEMORY_LIMIT='lots' is not a size"):
        create_database(tmp_path / "other.duckdb")
