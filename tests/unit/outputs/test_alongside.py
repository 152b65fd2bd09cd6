"""Files written in a forked child beside the parent's own writing (outputs.alongside): the same
file, the child's failures raised in the parent naming the file, nothing left running."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from joinedup.domain.measures import PRACTICE_TABLE_COLUMNS
from joinedup.outputs.alongside import Alongside
from joinedup.outputs.tables import WORKBOOK_ALONGSIDE_FROM, write_practice_table

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="this platform cannot fork")


def test_a_writer_runs_in_a_child_and_is_waited_for(tmp_path: Path) -> None:
    path = tmp_path / "pid.txt"
    with Alongside(fork=True) as alongside:
        alongside.start(path, lambda: path.write_text(str(os.getpid())))
    assert int(path.read_text()) != os.getpid()  # written by another process, finished by now


def test_without_fork_the_writer_runs_here(tmp_path: Path) -> None:
    path = tmp_path / "pid.txt"
    with Alongside(fork=False) as alongside:
        alongside.start(path, lambda: path.write_text(str(os.getpid())))
    assert int(path.read_text()) == os.getpid()


def test_a_childs_failure_is_raised_in_the_parent_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "missing" / "out.xlsx"

    def write() -> None:
        path.write_bytes(b"x")  # the folder does not exist

    with pytest.raises(FileNotFoundError) as raised, Alongside(fork=True) as alongside:
        alongside.start(path, write)
    assert f"while writing {path} (in a child process)" in raised.value.__notes__


def test_a_child_that_dies_without_a_report_is_an_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    with pytest.raises(RuntimeError, match=f"writing {path} failed"), Alongside(
        fork=True
    ) as alongside:
        alongside.start(path, lambda: os.kill(os.getpid(), signal.SIGKILL))


def test_the_blocks_own_error_wins_and_the_child_is_still_waited_for(tmp_path: Path) -> None:
    path = tmp_path / "late.txt"

    def write() -> None:
        path.write_text("done")
        raise ValueError("the child's failure")

    with pytest.raises(KeyError), Alongside(fork=True) as alongside:
        alongside.start(path, write)
        raise KeyError("the parent's failure")
    assert path.read_text() == "done"


def _practice_rows(n: int) -> list[dict[str, object]]:
    rows = []
    for i in range(n):
        row: dict[str, object] = dict.fromkeys(PRACTICE_TABLE_COLUMNS)
        row.update(practice_code=f"P{i:05d}", list_size=1000 + i, expected=i / 7,
                   pcn_code=f"U{i % 40:05d}", to_find=i % 13)
        rows.append(row)
    return rows


def test_a_national_tables_workbook_written_alongside_is_the_one_written_here(
    tmp_path: Path,
) -> None:
    rows = _practice_rows(WORKBOOK_ALONGSIDE_FROM)
    with Alongside(fork=True) as alongside:
        write_practice_table(rows, tmp_path / "forked", note="n", alongside=alongside)
    write_practice_table(rows, tmp_path / "here", note="n")

    def cells(folder: Path) -> list[list[object]]:
        book = load_workbook(folder / "practices.xlsx")
        return [[c.value for c in r] for sheet in book for r in sheet.iter_rows()]

    assert cells(tmp_path / "forked") == cells(tmp_path / "here")
    assert len(cells(tmp_path / "here")) == WORKBOOK_ALONGSIDE_FROM + 1 + 2  # header, about
