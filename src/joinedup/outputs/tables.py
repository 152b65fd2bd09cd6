"""Write the practice measure table and the footprint summary in the shapes DESIGN.md promises.

Why one module: practices.csv, its Parquet and Excel copies and summary.json are a contract that
scripts and dashboards rely on, so column order, names and metadata are decided in one place.
"""

from __future__ import annotations

import gc
import json
import math
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from joinedup.domain.measures import PRACTICE_TABLE_COLUMNS
from joinedup.outputs.alongside import Alongside
from joinedup.outputs.csv_files import write_csv
from joinedup.outputs.parquet_rows import TEXT, WHOLE, write_parquet

_TEXT_COLUMNS = ("pcn_code", "place_code", "sub_icb_code", "ics_code")
_COUNT_COLUMNS = ("rank", "wave", "imd_quintile", "eligible", "treated", "exceptions", "to_find",
                  "to_treat", "to_assess")
"""Columns typed whatever their values (codes as text, counts as whole numbers), so a column that
happens to be all blank in one run has the same Parquet type as in every other."""


def _practice_columns(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """The contract's columns in order, then any others the rows carry, in the order first seen."""
    seen = dict.fromkeys(c for row in rows for c in row)
    missing = [c for c in PRACTICE_TABLE_COLUMNS if rows and c not in seen]
    if missing:
        raise ValueError(f"practice rows lack contract columns: {missing}")
    return list(PRACTICE_TABLE_COLUMNS) + [c for c in seen if c not in PRACTICE_TABLE_COLUMNS]


WORKBOOK_ALONGSIDE_FROM = 2_000
"""Practices from which the Excel copy is written in a child process (`outputs.alongside`):
about a tenth of a second of xlsxwriter, more than starting the child costs."""


def write_practice_table(
    rows: Sequence[Mapping[str, Any]], out_dir: Path, *, note: str, stem: str = "practices",
    alongside: Alongside | None = None,
) -> list[Path]:
    """practices.csv plus Parquet and Excel copies; returns the paths written.

    With `alongside`, a big table's Excel copy is written in a child process while this one
    writes the rest (wait for it by leaving `alongside`'s block).

    Written from the rows themselves (the CSV by `csv_files`, with the cell format of every other
    CSV; the Parquet copy by DuckDB, `parquet_rows`; the workbook row by row): no data
    frame is built only to be written. `note` (working output or published, and how) goes into
    the Parquet schema metadata and an "about" sheet of the workbook, so a copy passed on still
    says what it is.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    columns = _practice_columns(rows)
    csv_path = out_dir / f"{stem}.csv"
    parquet_path = out_dir / f"{stem}.parquet"
    excel_path = out_dir / f"{stem}.xlsx"
    if alongside is not None and len(rows) >= WORKBOOK_ALONGSIDE_FROM:
        import xlsxwriter  # noqa: F401 - imported here, before the fork (see Alongside.start)

        alongside.start(excel_path, lambda: write_workbook(rows, columns, excel_path,
                                                           sheet=stem, note=note))
    else:
        write_workbook(rows, columns, excel_path, sheet=stem, note=note)
    write_csv(csv_path, columns, rows)
    types = {c: TEXT for c in _TEXT_COLUMNS} | {c: WHOLE for c in _COUNT_COLUMNS}
    write_parquet(parquet_path, rows, columns, metadata={"joinedup.publication": note},
                  types={c: t for c, t in types.items() if c in columns})
    return [csv_path, parquet_path, excel_path]


def write_workbook(
    rows: Iterable[Mapping[str, Any]], columns: Sequence[str], path: Path, *, sheet: str,
    note: str,
) -> None:
    """An Excel copy of a run's table: the table, then an "about" sheet holding the note.

    Unknown cells are left blank and dates written as ISO text, as in the CSV; numbers and
    true/false stay numbers and booleans.
    """
    with path.open("wb") as handle:
        workbook(handle, columns, ([row.get(c) for c in columns] for row in rows), sheet=sheet,
                 note=note)


def workbook(
    target: BinaryIO, columns: Sequence[str], rows: Iterable[Sequence[Any]], *, sheet: str,
    note: str,
) -> None:
    """Write an Excel workbook to `target`: the rows under their column names, then an "about"
    sheet holding the note, so a copy passed on still says what it is (working output or
    published). One writer for run files and dashboard downloads: xlsxwriter, row by row.

    Each cell is written by its Python type (`_cell_writer`): None, NaN and "" blank, booleans
    as booleans, numbers as numbers, text always as text (never read as a formula or a link, as
    the CSV shows it), anything else (a date) as its ISO text. Python's cyclic garbage collector
    is paused while the workbook is built: xlsxwriter keeps an object per cell until it closes,
    which over a national table sets off hundreds of collections, each walking the whole heap,
    for nothing: the cells live until the workbook closes, and any cycles left are collected
    once the collector is back on.
    """
    import xlsxwriter

    with _collector_paused():
        book = xlsxwriter.Workbook(target, {"in_memory": True, "nan_inf_to_errors": True})
        try:
            table = book.add_worksheet(sheet[:31])  # Excel's limit on a sheet name
            put = _cell_writer(table)
            for col_number, name in enumerate(columns):
                put(0, col_number, name)
            for row_number, values in enumerate(rows, start=1):
                for col_number, value in enumerate(values):
                    put(row_number, col_number, value)
            about = book.add_worksheet("about")
            about.write_string(0, 0, "about")
            about.write_string(1, 0, note)
        finally:
            book.close()


def _cell_writer(sheet: Any) -> Callable[[int, int, Any], None]:
    """A function writing one value to `sheet` with the xlsxwriter method its type needs.

    Calling `write_string` / `write_number` / `write_boolean` directly skips xlsxwriter's
    type sniffing in `write` (and its look for formulas and URLs in every string).
    """
    write_string, write_number, write_boolean = (
        sheet.write_string, sheet.write_number, sheet.write_boolean)

    def put(row: int, col: int, value: Any) -> None:
        kind = value.__class__
        if value is None:
            return  # unknown: a blank cell, as in the CSV
        if kind is str:
            if value:  # "" is blank, as xlsxwriter's `write` has it
                write_string(row, col, value)
        elif kind is int:
            write_number(row, col, value)
        elif kind is float:
            if value == value:  # NaN (unknown) is blank, as in the CSV
                write_number(row, col, value)
        elif kind is bool:
            write_boolean(row, col, value)
        else:
            value = _excel_value(value)
            if value is not None:
                put(row, col, value)

    return put


_pause_lock = threading.Lock()
_pauses = 0  # blocks inside `_collector_paused` now, in any thread
_resume = False  # whether the collector was on when the first of them began


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the block, and turn it back on (if it was on)
    when the last block paused at the same time ends: the dashboard writes workbooks from several
    threads, and the collector is one for the whole process."""
    global _pauses, _resume
    with _pause_lock:
        if _pauses == 0:
            _resume = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pauses -= 1
            if _pauses == 0 and _resume:
                gc.enable()


def _excel_value(value: Any) -> Any:
    """A cell value of a type `_cell_writer` writes directly: subclasses of str, int and float
    as those, a date as its ISO text, NaN as None, anything else as its text."""
    if isinstance(value, float):
        return None if math.isnan(value) else float(value)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, str):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def write_summary(summary: Mapping[str, Any], out_dir: Path) -> Path:
    """summary.json with stable key order and ISO dates."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "summary.json"
    path.write_text(json.dumps(summary, indent=2, default=str) + "\n", encoding="utf-8")
    return path


def write_rollups(rows: Sequence[Mapping[str, Any]], out_dir: Path) -> Path:
    """rollups.csv: counts summed to PCN, sub-ICB, place and ICS, rates recomputed from sums."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "rollups.csv"
    write_csv(path, list(dict.fromkeys(c for row in rows for c in row)), rows)
    return path
