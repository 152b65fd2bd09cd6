"""What the engine's queries return, made into the domain's records: Python and Arrow, no Ibis.

Why a module of its own: a repeat run reads its compiled SQL's result without importing Ibis
(`engines.queries`), so turning practice totals into `PracticeCounts` and the breakdown cube into
breakdown rows must not need the modules that build the expressions (`engines.measures`,
`engines.breakdowns`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any, Literal

from joinedup.domain.inequality import (
    DEFAULT_AGE_EDGES,
    UNKNOWN,
    group_order,
    national_quintiles,
    quintile_from_mean_decile,
)
from joinedup.domain.measures import PracticeCounts
from joinedup.domain.organisations import Footprint, organisation_from_row
from joinedup.domain.programme import Programme
from joinedup.engines.queries import read_table
from joinedup.sources.imd import national_practice_imd

# Digits `expected` keeps, so backends that sum in a different order give identical figures.
EXPECTED_DIGITS = 6

MEASURE_COLUMNS = (
    "list_size", "expected", "recorded", "eligible", "treated", "exceptions", "to_assess",
)
"""The counts `measure_counts` gives, in its order."""
_SUMMED = (*MEASURE_COLUMNS, "imd_sum", "imd_n")

BreakdownLevel = Literal["footprint", "ics", "place", "sub_icb", "pcn", "practice"]
BREAKDOWN_LEVELS: tuple[BreakdownLevel, ...] = (
    "footprint",
    "ics",
    "place",
    "sub_icb",
    "pcn",
    "practice",
)
PATIENT_DIMENSIONS = ("imd_quintile", "ethnicity", "age_band", "sex")
"""The patient-level breakdowns, in output order."""
COUNT_COLUMNS = ("list_size", "expected", "recorded", "eligible", "treated", "exceptions")
"""The practice measure table's counts, summed for each group (expected is modelled)."""
IDENTITY_COLUMNS = ("period_end", "programme", "level", "org_code", "dimension", "group")


def practice_rows(
    rows: Iterable[Mapping[str, Any]], programme: Programme, reference_date: date,
    footprint: Footprint,
) -> list[PracticeCounts]:
    """PracticeCounts from `practice_score_totals` rows of one date: a practice's totals summed
    over its score rows, plus the footprint's practices valid at the date with none."""
    sums: dict[str, list[float]] = {}
    risk: dict[str, dict[int, tuple[int, int]]] = {}
    scored = programme.risk_score is not None
    for row in rows:
        if row["practice_code"] is None:
            raise ValueError(
                f"{row['list_size']} registered patient(s) have no practice_code; the data "
                "contract requires one (reload the store through the validating loader)"
            )
        code = str(row["practice_code"])
        summed = sums.get(code)
        if summed is None:
            summed = sums[code] = [0.0] * len(_SUMMED)
        for i, name in enumerate(_SUMMED):
            summed[i] += row[name] or 0
        if scored and row["eligible"]:
            risk.setdefault(code, {})[int(row["risk_score"])] = (
                int(row["eligible"]),
                int(row["treated"]),
            )

    for org in footprint.of_type("practice"):
        if org.org_code not in sums and org.is_valid_at(reference_date):
            sums[org.org_code] = [0.0] * len(_SUMMED)

    out = []
    for code in sorted(sums):
        total = dict(zip(_SUMMED, sums[code], strict=True))
        known = code in footprint
        rollup = footprint.rollup(code) if known else {}
        out.append(
            PracticeCounts(
                period_end=reference_date,
                programme=programme.name,
                practice_code=code,
                practice_name=footprint[code].name if known else "",
                pcn_code=rollup.get("pcn"),
                place_code=rollup.get("place"),
                sub_icb_code=rollup.get("sub_icb"),
                ics_code=rollup.get("ics"),
                list_size=int(total["list_size"]),
                expected=round(total["expected"], EXPECTED_DIGITS),
                recorded=int(total["recorded"]),
                eligible=int(total["eligible"]),
                treated=int(total["treated"]),
                # A definition without an exceptions rule cannot say: unknown, not 0.
                exceptions=None if programme.exceptions is None else int(total["exceptions"]),
                imd_quintile=practice_quintile(
                    code, total["imd_sum"] / total["imd_n"] if total["imd_n"] else None
                ),
                to_assess=None
                if programme.eligibility.recorded is None
                else int(total["to_assess"]),
                risk_counts=dict(sorted(risk.get(code, {}).items())),
            )
        )
    return out


def practice_quintile(code: str, mean_decile: float | None = None) -> int | None:
    """The practice's deprivation quintile: its registration-weighted IMD 2019 score (the
    national practice table) placed among England's practices, one definition for every store
    kind (`domain.inequality.national_quintile`; docs/inequalities.md). A practice England's
    table does not list (a synthetic or new practice) falls back on its registered patients'
    mean national IMD decile (`quintile_from_mean_decile`), or None when no patient has one."""
    listed = _listed_quintiles().get(code)
    if listed is not None:
        return listed
    return None if mean_decile is None else quintile_from_mean_decile(mean_decile)


@functools.cache
def _listed_quintiles() -> dict[str, int]:
    """The quintile of every practice England's table lists, worked out once (a series asks for
    every practice's at every period end)."""
    scores = national_practice_imd()
    return national_quintiles(scores, list(scores.values()))


def footprint_of(con: Any) -> Footprint:
    """The store's organisations (every practice a measure table lists, even with no one)."""
    rows = read_table(con, "organisations")
    return Footprint(organisation_from_row(r) for r in rows)


def breakdown_rows(
    footprint: Footprint,
    cube: Iterable[Mapping[str, Any]],
    programme: Programme,
    reference_date: date,
    *,
    level: BreakdownLevel = "footprint",
    age_edges: Sequence[int] = DEFAULT_AGE_EDGES,
) -> list[dict[str, object]]:
    """`breakdown_counts`' rows from the rows of the computed `breakdown_cube` (one per
    practice, dimension and group), summed over the practices of each organisation at `level`."""
    if level not in BREAKDOWN_LEVELS:
        raise ValueError(f"unknown breakdown level {level!r}; choose from {BREAKDOWN_LEVELS}")
    cube = list(cube)
    orgs = _org_codes(footprint, [r["practice_code"] for r in cube], level)
    sums: dict[str, dict[tuple[str | None, str], list[float]]] = {
        d: {} for d in PATIENT_DIMENSIONS
    }
    for row, org in zip(cube, orgs, strict=True):
        total = sums[row["dimension"]].setdefault((org, row["group"]), [0] * len(COUNT_COLUMNS))
        for i, column in enumerate(COUNT_COLUMNS):
            total[i] += row[column] or 0

    rows: list[dict[str, object]] = []
    for dimension in PATIENT_DIMENSIONS:
        found = {key: dict(zip(COUNT_COLUMNS, total, strict=True))
                 for key, total in sums[dimension].items()}
        codes = sorted({code for code, _ in found}, key=lambda c: (c is None, c or ""))
        if level == "footprint":
            codes = [None]  # the footprint always gets its rows, zeros if nobody is registered
        for code in codes:
            for group in group_order(dimension, age_edges):
                if group == UNKNOWN and (code, UNKNOWN) not in found:
                    continue  # see the docstring: an empty Unknown row would weaken publishing
                counts = found.get((code, str(group)), {})
                rows.append(
                    {
                        "period_end": reference_date,
                        "programme": programme.name,
                        "level": level,
                        "org_code": code,
                        "dimension": dimension,
                        "group": group,
                        "list_size": int(counts.get("list_size", 0)),
                        "expected": round(float(counts.get("expected", 0.0)), EXPECTED_DIGITS),
                        "recorded": int(counts.get("recorded", 0)),
                        "eligible": int(counts.get("eligible", 0)),
                        "treated": int(counts.get("treated", 0)),
                        "exceptions": None
                        if programme.exceptions is None
                        else int(counts.get("exceptions", 0)),
                    }
                )
    return rows


def _org_codes(footprint: Footprint, practices: Sequence[str], level: str) -> list[str | None]:
    """Each practice's organisation at `level` (None at the footprint level or if it has none)."""
    if level == "footprint":
        return [None] * len(practices)
    if level == "practice":
        return list(practices)
    codes: dict[str, str | None] = {}
    for practice in set(practices):
        codes[practice] = footprint.rollup(practice).get(level) if practice in footprint else None
    return [codes[p] for p in practices]


