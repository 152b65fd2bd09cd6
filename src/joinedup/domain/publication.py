"""Every disclosure rule for joinedup's own tables, in one place: what is published and how.

Why one module: `disclosure.publish_rows` knows how to suppress and round any table; this module
knows *our* tables — which columns are counts of people, which figures are rates or gaps derived
from which counts, and which groups of rows have totals published elsewhere (practices within
their PCN, sub-ICB, place, wave and footprint; roll-ups within their level; breakdown groups
within their organisation and dimension; progress rows within their period). Practices, roll-ups,
the summary, breakdowns, PCN need, progress and the report all publish through these functions,
so a rule cannot differ between two outputs.

One rounding rule: a modelled figure that is not a count of people (`expected`, a need score) is
first made a whole number by rounding halves up (12.5 → 13), the same rule `round_count` applies
to counts (12.5 → 15 at base 5 follows from 12 → 10, 13 → 15). docs/disclosure.md has the rules.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from joinedup.domain.disclosure import (
    DisclosureError,
    PublicationPolicy,
    apply_sdc,
    publish_rows,
    published_rate,
    round_count,
)

COUNTS = ("list_size", "recorded", "eligible", "treated", "exceptions", "to_find", "to_treat",
          "to_assess")
"""The practice table's counts of people (and the gaps, which are counts of people too)."""
RATES = {"detection_rate": ("recorded", "expected"), "treatment_rate": ("treated", "eligible")}
IMPACT_COLUMNS = (
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
    **{column: ("to_find", "to_treat") for column in IMPACT_COLUMNS},
}
"""Figures computed from counts: suppressed whenever a count they come from is."""
PRACTICE_GROUPINGS = (("pcn_code",), ("sub_icb_code",), ("place_code",), ("wave",), ())
"""Practices sum to their PCN, sub-ICB, place, wave and the footprint, all of them published."""
BREAKDOWN_COUNTS = ("list_size", "recorded", "eligible", "treated", "exceptions")
BREAKDOWN_GROUPINGS = (("level", "org_code", "dimension"), ("level", "dimension", "group"))
"""A dimension's groups sum to their organisation's total; one group across the organisations
of a level sums to the footprint's group."""
_PROGRESS_PRACTICE_GROUPS = tuple(
    ("period_end", key) for key in ("pcn_code", "sub_icb_code", "place_code", "ics_code")
)
_PROGRESS_ROLLUP_GROUPS = tuple(
    ("period_end", "level", key) for key in ("ics_code", "place_code", "sub_icb_code")
)


def whole_number(value: float) -> int:
    """A modelled figure as a whole number, halves up: the one rounding rule for non-counts."""
    return math.floor(value + 0.5)


def _present(rows: Sequence[Mapping[str, Any]], mapping: Mapping[str, Any]) -> dict[str, Any]:
    columns = set(rows[0]) if rows else set()
    return {k: v for k, v in mapping.items() if k in columns}


def _whole_expected(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`expected` is modelled, not a count of people; publish it as a whole number."""
    for row in rows:
        value = row.get("expected")
        if isinstance(value, float):
            row["expected"] = whole_number(value)
    return rows


def publish_practices(
    rows: Sequence[Mapping[str, Any]], policy: PublicationPolicy
) -> list[dict[str, Any]]:
    """practices.csv as published."""
    table = publish_rows(
        rows, [c for c in COUNTS if rows and c in rows[0]], policy=policy,
        groupings=PRACTICE_GROUPINGS, rates=_present(rows, RATES),
        derived=_present(rows, DERIVED),
    )
    return _whole_expected(table.rows)


def publish_rollups(
    rows: Sequence[Mapping[str, Any]], policy: PublicationPolicy
) -> list[dict[str, Any]]:
    """rollups.csv as published: the organisations of one level are siblings."""
    table = publish_rows(
        rows, [c for c in COUNTS if rows and c in rows[0]], policy=policy,
        groupings=(("level",),), rates=_present(rows, RATES), derived=_present(rows, DERIVED),
    )
    return _whole_expected(table.rows)


def publish_summary(summary: Mapping[str, Any], policy: PublicationPolicy) -> dict[str, Any]:
    """Footprint totals rounded (a footprint total is never small); rates from rounded counts."""
    out = dict(summary)
    for column in COUNTS:
        if isinstance(out.get(column), int):
            out[column] = apply_sdc(out[column], policy)
    if isinstance(out.get("expected"), float):
        out["expected"] = whole_number(out["expected"])
    for rate, (numerator, denominator) in RATES.items():
        out[rate] = published_rate(out.get(numerator), out.get(denominator))
    for wave in out.get("waves", []):
        for column in ("to_find", "to_treat"):
            wave[column] = apply_sdc(wave[column], policy)
    out["publication"] = policy.note
    return out


def publish_breakdowns(
    rows: Sequence[Mapping[str, Any]], policy: PublicationPolicy
) -> list[dict[str, Any]]:
    """Breakdown count rows as published (rates are added from these by the caller).

    `expected` is published as a count too (a whole number, then treated like one, and hidden
    with `list_size`), because an exact modelled number beside a rounded list size can give the
    exact list size back. Raises DisclosureError for a negative or non-numeric `expected`.
    """
    prepared = []
    for index, row in enumerate(rows):
        new = dict(row)
        expected = row.get("expected")
        if expected is not None:
            if isinstance(expected, bool) or not isinstance(expected, int | float) or expected < 0:
                raise DisclosureError(
                    f"row {index + 1}, column 'expected': {expected!r} is not a count"
                )
            new["expected"] = whole_number(expected)
        prepared.append(new)
    table = publish_rows(
        prepared,
        [*BREAKDOWN_COUNTS, "expected"],
        policy=policy,
        groupings=BREAKDOWN_GROUPINGS,
        derived={"expected": ("list_size",)},
    )
    return table.rows


def publish_pcn_need(
    rows: Sequence[Mapping[str, Any]], policy: PublicationPolicy
) -> list[dict[str, Any]]:
    """PCN need as published: to_find and to_treat suppressed and rounded; need with them.

    All PCNs are one sibling group (they add up to the footprint's published gap). `need` is
    hidden with either count and otherwise rounded to the rounding base, because for a PCN
    whose practices share one quintile it is a known multiple of to_find + to_treat. The rank
    is kept: it is an order, computed from the exact figures.
    """
    table = publish_rows(
        rows, ["to_find", "to_treat"], policy=policy, derived={"need": ("to_find", "to_treat")}
    )
    out = []
    for row in table.rows:
        need = row.get("need")
        if isinstance(need, int | float):
            row["need"] = round_count(whole_number(need), policy)
        out.append(row)
    return out


def publish_progress(
    rows: Sequence[Mapping[str, Any]], policy: PublicationPolicy
) -> list[dict[str, Any]]:
    """progress.csv rows after disclosure control, in the same order.

    Within each period a practice is never the only suppressed one of its PCN, sub-ICB, place
    or ICS, nor a PCN, sub-ICB or place the only one of its parent; rates come from the
    published counts, and a gap is suppressed with the counts it comes from.
    """
    derived = {k: v for k, v in DERIVED.items() if k in ("to_find", "to_treat")}
    out: list[dict[str, Any]] = [dict(r) for r in rows]
    for practice_level, groups in (
        (True, _PROGRESS_PRACTICE_GROUPS), (False, _PROGRESS_ROLLUP_GROUPS),
    ):
        where = [i for i, r in enumerate(rows) if (r["level"] == "practice") == practice_level]
        if not where:
            continue
        table = publish_rows([rows[i] for i in where], COUNTS, policy=policy, groupings=groups,
                             rates=RATES, derived=derived)
        for i, published in zip(where, table.rows, strict=True):
            out[i] = published
    return _whole_expected(out)

