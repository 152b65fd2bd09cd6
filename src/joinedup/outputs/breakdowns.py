"""Inequality outputs: breakdowns.csv and inequalities.json.

Why: the partnership tracks who is missed. The engine (and, from the practice table,
`domain.inequality.practice_deprivation_counts`) gives counts by group; this module checks they
add up, adds the rates and their Wilson intervals, the deprivation gap, SII and RII
(docs/inequalities.md), and writes the files, published through `domain.publication` when asked.

Rates: detection = recorded ÷ expected, with **no** interval (expected is modelled, and the rate
can exceed 1); treatment = treated ÷ eligible, with a Wilson interval. Published rates, intervals
and deprivation statistics are all recomputed from the published counts. Every row carries the
output's note in its `publication` column, and inequalities.json carries it too.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from joinedup.domain.disclosure import PublicationPolicy
from joinedup.domain.inequality import (
    PRACTICE_DEPRIVATION,
    InequalityError,
    deprivation_gap,
    with_intervals,
)
from joinedup.domain.publication import publish_breakdowns
from joinedup.outputs.csv_files import cell, write_csv

IDENTITY_COLUMNS = ("period_end", "programme", "level", "org_code", "dimension", "group")
COUNT_COLUMNS = ("list_size", "expected", "recorded", "eligible", "treated", "exceptions")
"""The practice table's counts for each group; `expected` is modelled (fractional)."""
RATE_COLUMNS = ("detection_rate", "treatment_rate", "treatment_ci_low", "treatment_ci_high")
BREAKDOWN_COLUMNS = (*IDENTITY_COLUMNS, *COUNT_COLUMNS, *RATE_COLUMNS, "publication")
"""breakdowns.csv, in order."""
DEPRIVATION_DIMENSIONS = ("imd_quintile", PRACTICE_DEPRIVATION)
MEASURES = {"detection": ("recorded", "expected"), "treatment": ("treated", "eligible")}
"""Each measure's (numerator, denominator) columns, for gaps and charts."""
_TOLERANCE = 1e-6


# --- checks, rates, publishing ------------------------------------------------------------


def check_breakdown_totals(
    rows: Sequence[Mapping[str, Any]], totals: Mapping[str, float | None] | None = None
) -> None:
    """Raise unless every dimension's groups add up to the same totals (before suppression).

    Within each organisation, every dimension must give the same sum of each count; across the
    organisations of each level, each dimension must give `totals` (e.g. summary.json's
    footprint counts) where a total is given and not None. Rows of several levels may be mixed.
    Names the dimension, the column and both sums.
    """
    per_org: dict[tuple[object, object], dict[str, dict[str, float]]] = {}
    per_level: dict[tuple[object, str], dict[str, float]] = {}
    for row in rows:
        dimension = str(row["dimension"])
        by_org = per_org.setdefault((row["level"], row["org_code"]), {})
        for sums in (
            by_org.setdefault(dimension, dict.fromkeys(COUNT_COLUMNS, 0.0)),
            per_level.setdefault((row["level"], dimension), dict.fromkeys(COUNT_COLUMNS, 0.0)),
        ):
            for column in COUNT_COLUMNS:
                sums[column] += float(row[column] or 0)
    for (level, code), by_dimension in per_org.items():
        where = "the footprint" if code is None else f"{level} {code}"
        _agree(by_dimension, where)
    for (level, dimension), sums in per_level.items():
        for column, want in (totals or {}).items():
            if want is None or column not in sums:
                continue
            if abs(sums[column] - want) > _TOLERANCE * max(1.0, abs(want)):
                raise InequalityError(
                    f"breakdown by {dimension} ({level}): {column} sums to {sums[column]:g}, "
                    f"total is {want:g}"
                )


def _agree(by_dimension: Mapping[str, Mapping[str, float]], where: str) -> None:
    items = list(by_dimension.items())
    if not items:
        return
    first, reference = items[0]
    for dimension, sums in items[1:]:
        for column in COUNT_COLUMNS:
            got, want = sums[column], reference[column]
            if abs(got - want) > _TOLERANCE * max(1.0, abs(want)):
                raise InequalityError(
                    f"{where}: breakdown by {dimension}: {column} sums to {got:g}, "
                    f"by {first} to {want:g}"
                )


def breakdown_rows(
    rows: Iterable[Mapping[str, Any]], *, confidence: float = 0.95
) -> list[dict[str, object]]:
    """Count rows with the rates added: detection (no interval), treatment (Wilson interval)."""
    out = []
    for row in with_intervals(
        list(rows), numerator="treated", denominator="eligible", confidence=confidence
    ):
        new = {k: v for k, v in row.items() if k not in ("rate", "ci_low", "ci_high")}
        new["detection_rate"] = _rate(row.get("recorded"), row.get("expected"))
        new["treatment_rate"] = row["rate"]
        new["treatment_ci_low"] = row["ci_low"]
        new["treatment_ci_high"] = row["ci_high"]
        out.append(new)
    return out


def _rate(numerator: object, denominator: object) -> float | None:
    if not isinstance(numerator, int | float) or not isinstance(denominator, int | float):
        return None
    return numerator / denominator if denominator > 0 else None


def breakdown_table(
    rows: Sequence[Mapping[str, Any]],
    publish: PublicationPolicy | None = None,
    *,
    confidence: float = 0.95,
) -> list[dict[str, object]]:
    """The rows as shown: exact with rates (working), or `publish_breakdowns` (published)."""
    shown = rows if publish is None else publish_breakdowns(rows, publish)
    return breakdown_rows(shown, confidence=confidence)


def stamped(rows: Iterable[Mapping[str, Any]], note: str) -> list[dict[str, object]]:
    """Rows in breakdowns.csv's column order, each carrying the output's note."""
    return [{**{c: row.get(c) for c in BREAKDOWN_COLUMNS}, "publication": note} for row in rows]


# --- the deprivation gradient -------------------------------------------------------------


def deprivation_summary(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, object]]:
    """Gap, SII and RII for detection and treatment, per organisation and deprivation dimension.

    Reads the rows as given (exact for working outputs, published counts for published ones).
    Conventions: quintile 1 is the most deprived; gaps and the SII are least minus most
    deprived, so a positive value means the most deprived do worse. A measure whose quintiles
    are not all known (a suppressed count, an empty quintile) is given as None with the reason.
    """
    grouped: dict[tuple[object, object, str], dict[int, Mapping[str, Any]]] = {}
    for row in rows:
        if row["dimension"] in DEPRIVATION_DIMENSIONS and row["group"] in (1, 2, 3, 4, 5):
            key = (row["level"], row["org_code"], str(row["dimension"]))
            grouped.setdefault(key, {})[int(row["group"])] = row
    out: list[dict[str, object]] = []
    for (level, code, dimension), quintiles in grouped.items():
        entry: dict[str, object] = {"level": level, "org_code": code, "dimension": dimension}
        for measure, (numerator, denominator) in MEASURES.items():
            entry[measure] = _gap(quintiles, numerator, denominator)
        out.append(entry)
    return out


def _gap(
    quintiles: Mapping[int, Mapping[str, Any]], numerator: str, denominator: str
) -> dict[str, object]:
    counts: dict[int, tuple[float, float]] = {}
    for q in (1, 2, 3, 4, 5):
        row = quintiles.get(q)
        num = None if row is None else row.get(numerator)
        den = None if row is None else row.get(denominator)
        if num is None or den is None:
            return {"unavailable": f"quintile {q}: {numerator} or {denominator} not known"}
        counts[q] = (float(num), float(den))
    try:
        gap = deprivation_gap(counts)
    except InequalityError as exc:
        return {"unavailable": str(exc)}
    return {
        "most_deprived_rate": gap.most_deprived_rate,
        "least_deprived_rate": gap.least_deprived_rate,
        "absolute_gap": gap.absolute_gap,
        "relative_gap": gap.relative_gap,
        "sii": gap.sii,
        "rii": gap.rii,
    }


# --- files ----------------------------------------------------------------------------------


def write_breakdowns(
    rows: Sequence[Mapping[str, Any]], out_dir: Path, note: str, *, confidence: float = 0.95
) -> list[Path]:
    """breakdowns.csv and inequalities.json from count rows as shown; returns the paths written.

    `rows` are exact counts (a working output; check them first with `check_breakdown_totals`)
    or published ones (`domain.publication`); rates, intervals and the deprivation statistics
    are computed from them either way, and `note` says which.
    """
    shown = breakdown_rows(rows, confidence=confidence)
    out_dir.mkdir(parents=True, exist_ok=True)
    csv_path = out_dir / "breakdowns.csv"
    write_csv(csv_path, BREAKDOWN_COLUMNS, stamped(shown, note))
    first = rows[0] if rows else {}
    summary = {
        "programme": first.get("programme"),
        "period_end": cell(first.get("period_end")) or None,
        "publication": note,
        "conventions": (
            "IMD quintile 1 is the most deprived; gaps and the slope index of inequality (SII) "
            "are least deprived minus most deprived, so a positive value means the most "
            "deprived do worse; relative gap = least / most deprived rate; RII = SII / mean "
            "rate. Detection = recorded / expected (modelled); treatment = treated / eligible."
        ),
        "deprivation": deprivation_summary(shown),
    }
    json_path = out_dir / "inequalities.json"
    json_path.write_text(json.dumps(summary, indent=2, default=str) + "\n", encoding="utf-8")
    return [csv_path, json_path]
