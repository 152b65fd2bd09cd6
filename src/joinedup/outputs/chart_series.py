"""Breakdown rows as chart series: one measure by the groups of one dimension.

Why apart from the breakdown tables: the report (and later the dashboard) draws the inequality
charts from the rows as shown — exact or published — so a chart can never show a figure its
table hides.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from joinedup.domain.inequality import PRACTICE_DEPRIVATION, UNKNOWN, InequalityError
from joinedup.outputs.breakdowns import DEPRIVATION_DIMENSIONS, MEASURES


@dataclass(frozen=True)
class ChartSeries:
    """One measure by the groups of one dimension, ready for `charts.inequality_bars`."""

    groups: tuple[str, ...]
    rates: tuple[float | None, ...]
    lows: tuple[float | None, ...]
    highs: tuple[float | None, ...]


def chart_series(
    rows: Iterable[Mapping[str, Any]],
    dimension: str,
    measure: str,
    *,
    org_code: str | None = None,
    include_unknown: bool = False,
) -> ChartSeries:
    """Detection or treatment by group, from breakdown rows with rates (exact or published).

    Takes the rows of one organisation (`org_code`; None for the footprint). Detection has no
    interval (lows and highs are None). IMD quintiles are labelled "1 (most deprived)" and
    "5 (least deprived)" at the ends so a chart cannot be read the wrong way round.
    """
    if measure not in MEASURES:
        raise InequalityError(f"unknown measure {measure!r}; choose from {sorted(MEASURES)}")
    picked = [
        r
        for r in rows
        if r["dimension"] == dimension
        and r["org_code"] == org_code
        and (include_unknown or r["group"] != UNKNOWN)
    ]
    if not picked:
        raise InequalityError(f"no breakdown rows for {dimension!r} at {org_code or 'footprint'}")
    labels = tuple(_label(dimension, r["group"]) for r in picked)
    rates = tuple(_optional(r.get(f"{measure}_rate")) for r in picked)
    if measure == "treatment":
        lows = tuple(_optional(r.get("treatment_ci_low")) for r in picked)
        highs = tuple(_optional(r.get("treatment_ci_high")) for r in picked)
    else:
        lows = highs = tuple(None for _ in picked)
    return ChartSeries(groups=labels, rates=rates, lows=lows, highs=highs)


def _label(dimension: str, group: object) -> str:
    if dimension in DEPRIVATION_DIMENSIONS and group == 1:
        return "1 (most deprived)"
    if dimension in DEPRIVATION_DIMENSIONS and group == 5:
        return "5 (least deprived)"
    return str(group)


def _optional(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def report_series(
    shown: Sequence[Mapping[str, Any]], *, org_code: str | None = None
) -> list[tuple[str, str, ChartSeries]]:
    """(dimension, measure, series) for the report's inequality charts, from `breakdown_table`.

    Detection and treatment by the patients' IMD quintile (the practice's quintile when the
    store has no patients) and by ethnicity group (patient-level stores only), in that order.
    Dimensions with no rows for `org_code` are left out.
    """
    # A dimension whose only group is Unknown (e.g. no practice has an IMD) has nothing to chart.
    present = {
        r["dimension"] for r in shown if r["org_code"] == org_code and r["group"] != UNKNOWN
    }
    deprivation = "imd_quintile" if "imd_quintile" in present else PRACTICE_DEPRIVATION
    out = []
    for dimension in (deprivation, "ethnicity"):
        if dimension in present:
            for measure in MEASURES:
                series = chart_series(shown, dimension, measure, org_code=org_code)
                out.append((dimension, measure, series))
    return out
