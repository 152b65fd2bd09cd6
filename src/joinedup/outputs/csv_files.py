"""CSV files as joinedup writes them: empty for unknown, ISO dates, floats to 12 significant digits.

Why one module: every CSV a run writes (breakdowns, PCN need, …) must read back identically in
a spreadsheet or a script, so the cell format is decided once.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> None:
    """A CSV with `columns` in order: empty for None, ISO dates, floats to 12 significant digits."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        # Text and whole numbers are written as they are (most cells); the rest through `cell`.
        writer.writerows(
            [v if type(v) is str or type(v) is int else cell(v) for v in map(row.get, columns)]
            for row in rows
        )


def cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.12g}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
