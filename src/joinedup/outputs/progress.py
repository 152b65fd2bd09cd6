"""Write a progress series: progress.csv, improvers.csv, trend.svg and progress.json.

Why one module: the long table's columns are a contract for dashboards and spreadsheets (filter
by level and code, plot by period_end), so names, order, types and the publication rules for
these tables are decided here, once. `joinedup.progress.write_progress` computes what goes in.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from joinedup.domain.disclosure import PublicationPolicy, publish_rows
from joinedup.outputs.publication import COUNTS, DERIVED, RATES

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
_WHOLE = ("practices", "list_size", "recorded", "eligible", "treated", "exceptions", "to_find",
          "to_treat")
_IMPROVER_WHOLE = (
    "rank", "recorded_first", "recorded_last", "recorded_gain", "eligible_first", "eligible_last",
    "treated_first", "treated_last", "treated_gain", "to_find_first", "to_find_last",
    "to_treat_first", "to_treat_last", "gap_closed",
)
# Practices add up to their PCN, sub-ICB, place and ICS in the same period; roll-ups of one level
# add up to the level above. Each is a group of siblings whose total is published.
_PRACTICE_GROUPS = tuple(("period_end", key) for key in
                         ("pcn_code", "sub_icb_code", "place_code", "ics_code"))
_ROLLUP_GROUPS = tuple(("period_end", "level", key) for key in
                       ("ics_code", "place_code", "sub_icb_code"))


def publish_progress(
    rows: Sequence[Mapping[str, Any]], policy: PublicationPolicy
) -> list[dict[str, Any]]:
    """progress.csv rows after disclosure control, in the same order.

    Counts from 1 to the threshold are suppressed and the rest rounded; within each period a
    practice is never the only suppressed one of its PCN, sub-ICB, place or ICS, nor a PCN,
    sub-ICB or place the only one of its parent; rates come from the published counts, and a
    gap is suppressed with the counts it comes from. `expected` is published as a whole number.
    """
    derived = {k: v for k, v in DERIVED.items() if k in ("to_find", "to_treat")}
    out: list[dict[str, Any]] = [dict(r) for r in rows]
    for practice_level, groups in ((True, _PRACTICE_GROUPS), (False, _ROLLUP_GROUPS)):
        where = [i for i, r in enumerate(rows) if (r["level"] == "practice") == practice_level]
        if not where:
            continue
        table = publish_rows([rows[i] for i in where], COUNTS, policy=policy, groupings=groups,
                             rates=RATES, derived=derived)
        for i, published in zip(where, table.rows, strict=True):
            out[i] = published
    for row in out:
        if isinstance(row.get("expected"), float):
            row["expected"] = round(row["expected"])
    return out


def progress_frame(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """The long table, columns in PROGRESS_COLUMNS order, counts as nullable integers."""
    frame = pd.DataFrame(list(rows), columns=list(PROGRESS_COLUMNS))
    for column in _WHOLE:
        frame[column] = frame[column].astype("Int64")
    for column in ("code", "name", "ics_code", "place_code", "sub_icb_code", "pcn_code"):
        frame[column] = frame[column].astype("string")
    return frame


def improvers_frame(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """improvers.csv: one row per practice (`Improvement.as_dict`), most improved first."""
    frame = pd.DataFrame(list(rows), columns=list(IMPROVER_COLUMNS))
    for column in _IMPROVER_WHOLE:
        frame[column] = frame[column].astype("Int64")
    return frame


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
    progress_frame(rows).to_csv(paths[0], index=False, float_format="%.12g")
    improvers_frame(improvers).to_csv(paths[1], index=False, float_format="%.12g")
    paths[2].write_text(chart_svg, encoding="utf-8")
    metadata = {**summary, "files": [p.name for p in paths[:3]]}
    paths[3].write_text(json.dumps(metadata, indent=2, default=str) + "\n", encoding="utf-8")
    return paths
