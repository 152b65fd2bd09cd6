"""Download copies of a table: CSV and Excel, in memory, for the dashboard's export buttons.

Why apart from the run's files: a download is one table as a reader sees it (exact for analysts,
published for everyone else, a practice's own worklist), made on request and never written to
disk on the server. Cells follow the run's CSV rules (`csv_files.cell`: empty for unknown, ISO
dates); the workbook carries an "about" sheet with the note (working output or published, and
how; or that it holds patient data), so a copy passed on still says what it is.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from joinedup.outputs.csv_files import cell
from joinedup.outputs.tables import workbook

FORMATS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
"""Export formats and their media types."""


def export_table(rows: Iterable[Mapping[str, Any]], columns: Sequence[str], fmt: str,
                 note: str, sheet: str = "table") -> bytes:
    """The rows as a CSV or an Excel workbook (`fmt` one of `FORMATS`)."""
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([cell(row.get(c)) for c in columns])
        return buffer.getvalue().encode("utf-8")
    if fmt == "xlsx":
        out = io.BytesIO()
        workbook(out, columns, ([_excel(row.get(c)) for c in columns] for row in rows),
                 sheet=sheet, note=note)
        return out.getvalue()
    raise ValueError(f"unknown export format {fmt!r}; choose from {sorted(FORMATS)}")


def _excel(value: object) -> object:
    """Numbers stay numbers in the workbook; everything else is text as in the CSV."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, int | float):
        return value
    return cell(value)
