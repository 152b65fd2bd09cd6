"""Write a progress series: progress.csv, improvers.csv, trend.svg and progress.json.

Why one module: the long table's columns are a contract for dashboards and spreadsheets (filter
by level and code, plot by period_end), so names, order, types and the publication rules for
these tables are decided here, once (their publication rules live in `domain.publication`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from joinedup.outputs.csv_files import write_csv

PROGRESS_COLUMNS = (
    "period_end", "programme", "level", "code", "name",
    "ics_code", "place_code", "sub_icb_code", "pcn_code",
    "practices", "list_size", "expected", "recorded", "eligible", "treated", "exceptions",
    "detection_rate", "treatment_rate", "to_find", "to_treat",
)
IMPROVER_COLUMNS = (
    "rank", "practice_code", "practice_name", "pcn_code", "place_code",
    "first_period", "last_period", "patients_gained",
    "expected_first", "expected_last", "recorded_first", "recorded_last", "recorded_gain",
    "detection_rate_first", "detection_rate_last", "detection_change", "found_by_improvement",
    "eligible_first", "eligible_last", "treated_first", "treated_last", "treated_gain",
    "treatment_rate_first", "treatment_rate_last", "treatment_change", "treated_by_improvement",
    "to_find_first", "to_find_last", "to_treat_first", "to_treat_last", "gap_closed",
)
def write_progress_files(
    out_dir: Path,
    rows: Sequence[Mapping[str, Any]],
    improvers: Sequence[Mapping[str, Any]],
    chart_svg: str,
    summary: Mapping[str, Any],
) -> list[Path]:
    """progress.csv, improvers.csv, trend.svg and progress.json (with `files` added)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "progress.csv", out / "improvers.csv", out / "trend.svg", out / "progress.json"]
    write_csv(paths[0], PROGRESS_COLUMNS, rows)
    write_csv(paths[1], IMPROVER_COLUMNS, improvers)
    paths[2].write_text(chart_svg, encoding="utf-8")
    metadata = {**summary, "files": [p.name for p in paths[:3]]}
    paths[3].write_text(json.dumps(metadata, indent=2, default=str) + "\n", encoding="utf-8")
    return paths
