"""Disclosure control applied to the run's outputs (`--publish`).

Why here: the domain's `publish_rows` knows how to suppress and round one table; this module
knows which columns of *our* tables are counts, which are rates of which counts, which figures are
derived from which counts, and which tables publish the totals a suppressed cell could be
recovered from (practices within PCN, sub-ICB, place and the footprint; roll-ups by level).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from joinedup.domain.disclosure import PublicationPolicy, apply_sdc, publish_rows, published_rate

COUNTS = ("list_size", "recorded", "eligible", "treated", "exceptions", "to_find", "to_treat")
RATES = {"detection_rate": ("recorded", "expected"), "treatment_rate": ("treated", "eligible")}
_IMPACT = (
    "strokes_prevented_per_year",
    "deaths_avoided_per_year",
    "savings_gbp_per_year",
    "savings_gbp_five_year",
    "heart_attacks_prevented_per_year",
)
DERIVED = {
    "to_find": ("recorded",),
    "to_treat": ("treated", "eligible"),
    "opportunity": ("to_find", "to_treat"),
    **{column: ("to_find", "to_treat") for column in _IMPACT},
}
# Practices sum to their PCN, sub-ICB, place, wave and the footprint, all of which are published.
PRACTICE_GROUPINGS = (("pcn_code",), ("sub_icb_code",), ("place_code",), ("wave",), ())


def _present(rows: Sequence[Mapping[str, Any]], mapping: Mapping[str, Any]) -> dict[str, Any]:
    columns = set(rows[0]) if rows else set()
    return {k: v for k, v in mapping.items() if k in columns}


def _round_expected(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """`expected` is modelled, not a count of people; publish it as a whole number."""
    for row in rows:
        value = row.get("expected")
        if isinstance(value, float):
            row["expected"] = round(value)
    return rows


def publish_practices(
    rows: Sequence[Mapping[str, Any]], policy: PublicationPolicy
) -> list[dict[str, object]]:
    table = publish_rows(
        rows, [c for c in COUNTS if rows and c in rows[0]], policy=policy,
        groupings=PRACTICE_GROUPINGS, rates=_present(rows, RATES),
        derived=_present(rows, DERIVED),
    )
    return _round_expected(table.rows)


def publish_rollups(
    rows: Sequence[Mapping[str, Any]], policy: PublicationPolicy
) -> list[dict[str, object]]:
    table = publish_rows(
        rows, [c for c in COUNTS if rows and c in rows[0]], policy=policy,
        groupings=(("level",),), rates=_present(rows, RATES), derived=_present(rows, DERIVED),
    )
    return _round_expected(table.rows)


def publish_summary(summary: Mapping[str, Any], policy: PublicationPolicy) -> dict[str, Any]:
    """Footprint totals rounded (a footprint total is never small); rates from rounded counts."""
    out = dict(summary)
    for column in COUNTS:
        if isinstance(out.get(column), int):
            out[column] = apply_sdc(out[column], policy)
    if isinstance(out.get("expected"), float):
        out["expected"] = round(out["expected"])
    for rate, (numerator, denominator) in RATES.items():
        out[rate] = published_rate(out.get(numerator), out.get(denominator))
    for wave in out.get("waves", []):
        for column in ("to_find", "to_treat"):
            wave[column] = apply_sdc(wave[column], policy)
    out["publication"] = policy.note
    return out
