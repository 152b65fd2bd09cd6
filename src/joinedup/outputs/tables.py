"""Write the practice measure table and the footprint summary in the shapes DESIGN.md promises.

Why one module: practices.csv, its Parquet and Excel copies and summary.json are a contract that
scripts and dashboards rely on, so column order, names and metadata are decided in one place.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from joinedup.domain.measures import PRACTICE_TABLE_COLUMNS


def practice_frame(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Rows keyed by column name → a frame with the contract's columns first, in order."""
    frame = pd.DataFrame(list(rows))
    missing = [c for c in PRACTICE_TABLE_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"practice rows lack contract columns: {missing}")
    extra = [c for c in frame.columns if c not in PRACTICE_TABLE_COLUMNS]
    frame = frame[list(PRACTICE_TABLE_COLUMNS) + extra]
    for column in ("pcn_code", "place_code", "sub_icb_code", "ics_code"):
        frame[column] = frame[column].astype("string")
    for column in (
        "rank",
        "wave",
        "imd_quintile",
        "eligible",
        "treated",
        "exceptions",
        "to_find",
        "to_treat",
        "to_assess",
    ):
        frame[column] = frame[column].astype("Int64")
    return frame


def write_practice_table(
    frame: pd.DataFrame, out_dir: Path, *, note: str, stem: str = "practices"
) -> list[Path]:
    """practices.csv plus Parquet and Excel copies; returns the paths written.

    `note` (working output or published, and how) goes into the Parquet schema metadata and an
    "about" sheet of the workbook, so a copy passed on still says what it is.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    csv_path = out_dir / f"{stem}.csv"
    parquet_path = out_dir / f"{stem}.parquet"
    excel_path = out_dir / f"{stem}.xlsx"
    frame.to_csv(csv_path, index=False, float_format="%.12g")
    table = pa.Table.from_pandas(frame, preserve_index=False)
    metadata = {**(table.schema.metadata or {}), b"joinedup.publication": note.encode()}
    pq.write_table(table.replace_schema_metadata(metadata), parquet_path)
    write_workbook(frame, excel_path, sheet=stem, note=note)
    return [csv_path, parquet_path, excel_path]


def write_workbook(frame: pd.DataFrame, path: Path, *, sheet: str, note: str) -> None:
    """An Excel copy of a run's table: the table, then an "about" sheet holding the note.

    pandas' own Excel path formats every cell one at a time, 10× slower on the 6,720 practices of
    England, so the rows go to `workbook` as plain Python values; unknown cells are left blank
    and dates written as ISO text, as in the CSV.
    """
    columns = list(frame.columns)
    records = frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None)
    rows = ([_excel_value(v) for v in values] for values in records)
    with path.open("wb") as handle:
        workbook(handle, columns, rows, sheet=sheet, note=note)


def workbook(
    target: BinaryIO, columns: Sequence[str], rows: Iterable[Sequence[Any]], *, sheet: str,
    note: str,
) -> None:
    """Write an Excel workbook to `target`: the rows under their column names, then an "about"
    sheet holding the note, so a copy passed on still says what it is (working output or
    published). One writer for run files and dashboard downloads: xlsxwriter, row by row."""
    import xlsxwriter

    book = xlsxwriter.Workbook(target, {"in_memory": True, "nan_inf_to_errors": True})
    try:
        table = book.add_worksheet(sheet[:31])  # Excel's limit on a sheet name
        table.write_row(0, 0, list(columns))
        for row_number, values in enumerate(rows, start=1):
            table.write_row(row_number, 0, list(values))
        about = book.add_worksheet("about")
        about.write_row(0, 0, ["about"])
        about.write_row(1, 0, [note])
    finally:
        book.close()


def _excel_value(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
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
    pd.DataFrame(list(rows)).to_csv(path, index=False, float_format="%.12g")
    return path
