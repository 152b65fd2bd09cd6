"""Inequality outputs: breakdowns.csv, inequalities.json and pcn_need.csv.

Why: the partnership tracks who is missed (issue 5). The engine (or, for stores of published
aggregates, `practice_deprivation_counts` here) gives counts by group; this module adds the rates
and their Wilson intervals, the deprivation gap, SII and RII (docs/inequalities.md), the
"highest need" PCN ranking, and applies disclosure control when an output is to be published.

Rates: detection = recorded ÷ expected, with **no** interval (expected is modelled, and the rate
can exceed 1); treatment = treated ÷ eligible, with a Wilson interval.

Publishing (`PublicationPolicy`): counts 1-7 are suppressed and the rest rounded to 5; within each
dimension of each organisation (and, below the footprint, within each group across
organisations) a lone suppressed cell takes a sibling with it, so no suppressed cell can be
recovered from the dimension's total and its siblings. `expected` is published as a count too
(rounded to a whole number, then treated like one, and hidden with `list_size`), because an exact
modelled number beside a rounded list size can give the exact list size back. Rates, intervals
and the deprivation statistics are all recomputed from the published counts. Every row carries
the output's note in its `publication` column, and inequalities.json carries it too.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from joinedup.domain.disclosure import PublicationPolicy, output_note, publish_rows, round_count
from joinedup.domain.inequality import (
    DEFAULT_NEED_UPLIFT,
    UNKNOWN,
    InequalityError,
    PracticeNeed,
    deprivation_gap,
    rank_pcns_by_need,
    with_intervals,
)
from joinedup.domain.measures import PracticeCounts
from joinedup.domain.targeting import Plan

IDENTITY_COLUMNS = ("period_end", "programme", "level", "org_code", "dimension", "group")
COUNT_COLUMNS = ("list_size", "expected", "recorded", "eligible", "treated", "exceptions")
"""The practice table's counts for each group; `expected` is modelled (fractional)."""
RATE_COLUMNS = ("detection_rate", "treatment_rate", "treatment_ci_low", "treatment_ci_high")
BREAKDOWN_COLUMNS = (*IDENTITY_COLUMNS, *COUNT_COLUMNS, *RATE_COLUMNS, "publication")
"""breakdowns.csv, in order."""
PEOPLE_COUNTS = ("list_size", "recorded", "eligible", "treated", "exceptions")
PRACTICE_DEPRIVATION = "practice_imd_quintile"
"""The dimension for the practice's own IMD quintile (the only one aggregate stores have)."""
DEPRIVATION_DIMENSIONS = ("imd_quintile", PRACTICE_DEPRIVATION)
MEASURES = {"detection": ("recorded", "expected"), "treatment": ("treated", "eligible")}
"""Each measure's (numerator, denominator) columns, for gaps and charts."""
PCN_NEED_COLUMNS = (
    "pcn_code",
    "pcn_name",
    "rank",
    "need",
    "to_find",
    "to_treat",
    "practices",
    "most_deprived_practices",
    "uplift",
    "publication",
)
_TOLERANCE = 1e-6


# --- counts from the practice table (aggregate stores) -----------------------------------


def practice_deprivation_counts(
    counts: Iterable[PracticeCounts], *, level: str = "footprint"
) -> list[dict[str, object]]:
    """The breakdown by the practice's IMD quintile, from practice measure rows.

    For stores of published aggregates (QOF, CVDPREVENT), which have no patients: each
    practice's patients take its quintile (Unknown when it has none). Same row shape as the
    engine's `breakdown_counts`, with dimension `practice_imd_quintile`. Only groups with at
    least one practice are listed: practices' quintiles are published (practices.csv), so an
    empty group is a zero every reader can predict, and one chosen as the second suppressed
    cell of its dimension would protect nothing. As in the practice roll-ups, eligible and
    treated are summed over practices where both are known and exceptions over practices
    where it is known (None when no practice in the group knows).
    """
    acc: dict[tuple[str | None, object], list[PracticeCounts]] = {}
    meta: dict[str, object] = {}
    for row in counts:
        meta.setdefault("period_end", row.period_end)
        meta.setdefault("programme", row.programme)
        if meta["period_end"] != row.period_end or meta["programme"] != row.programme:
            raise InequalityError(
                f"practice {row.practice_code}: rows mix periods or programmes "
                f"({row.period_end} {row.programme} vs {meta['period_end']} {meta['programme']})"
            )
        group: object = UNKNOWN if row.imd_quintile is None else row.imd_quintile
        acc.setdefault((_level_code(row, level), group), []).append(row)
    codes = sorted({code for code, _ in acc}, key=lambda c: (c is None, c or ""))
    out: list[dict[str, object]] = []
    for code in codes:
        for group in (1, 2, 3, 4, 5, UNKNOWN):
            members = acc.get((code, group), [])
            if not members:
                continue  # a predictable zero: see the docstring
            known = [r for r in members if r.eligible is not None and r.treated is not None]
            exceptions = [r.exceptions for r in members if r.exceptions is not None]
            out.append(
                {
                    "period_end": meta["period_end"],
                    "programme": meta["programme"],
                    "level": level,
                    "org_code": code,
                    "dimension": PRACTICE_DEPRIVATION,
                    "group": group,
                    "list_size": sum(r.list_size for r in members),
                    "expected": math.fsum(r.expected for r in members),
                    "recorded": sum(r.recorded for r in members),
                    "eligible": sum(r.eligible or 0 for r in known) if known else None,
                    "treated": sum(r.treated or 0 for r in known) if known else None,
                    "exceptions": sum(exceptions) if exceptions else None,
                }
            )
    return out


def _level_code(row: PracticeCounts, level: str) -> str | None:
    if level == "footprint":
        return None
    if level == "practice":
        return row.practice_code
    if level in ("ics", "place", "sub_icb", "pcn"):
        value: str | None = getattr(row, f"{level}_code")
        return value
    raise InequalityError(f"unknown breakdown level {level!r}")


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


def publish_breakdowns(
    rows: Sequence[Mapping[str, Any]], policy: PublicationPolicy, *, confidence: float = 0.95
) -> list[dict[str, object]]:
    """Count rows as published: suppressed, rounded, rates and intervals from what is shown.

    Siblings are the groups of one dimension of one organisation (their sum is the
    organisation's total, published elsewhere), and, below the footprint, one group across the
    organisations of a level (their sum is the footprint's group).
    """
    prepared = []
    for index, row in enumerate(rows):
        new = dict(row)
        expected = row.get("expected")
        if expected is not None:
            if not isinstance(expected, int | float) or expected < 0:
                raise InequalityError(f"row {index + 1}, column 'expected': {expected!r}")
            new["expected"] = math.floor(expected + 0.5)
        prepared.append(new)
    table = publish_rows(
        prepared,
        [*PEOPLE_COUNTS, "expected"],
        policy=policy,
        groupings=(("level", "org_code", "dimension"), ("level", "dimension", "group")),
        derived={"expected": ("list_size",)},
    )
    return breakdown_rows(table.rows, confidence=confidence)


def breakdown_table(
    rows: Sequence[Mapping[str, Any]],
    publish: PublicationPolicy | None = None,
    *,
    confidence: float = 0.95,
) -> list[dict[str, object]]:
    """The rows as shown: exact with rates (working), or `publish_breakdowns` (published)."""
    if publish is None:
        return breakdown_rows(rows, confidence=confidence)
    return publish_breakdowns(rows, publish, confidence=confidence)


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
    rows: Sequence[Mapping[str, Any]],
    out_dir: Path,
    publish: PublicationPolicy | None = None,
    *,
    totals: Mapping[str, float | None] | None = None,
    confidence: float = 0.95,
) -> list[Path]:
    """breakdowns.csv and inequalities.json from count rows; returns the paths written.

    `rows` are exact counts (`breakdown_counts` and/or `practice_deprivation_counts`). They are
    checked to add up (to each other, and to `totals` if given) before anything is suppressed.
    With `publish`, the disclosure rules above apply; without, the outputs stay exact and say
    they are a working output, not for publication.
    """
    check_breakdown_totals(rows, totals)
    note = output_note(publish)
    shown = breakdown_table(rows, publish, confidence=confidence)
    out_dir.mkdir(parents=True, exist_ok=True)
    csv_path = out_dir / "breakdowns.csv"
    write_csv(csv_path, BREAKDOWN_COLUMNS, stamped(shown, note))
    first = rows[0] if rows else {}
    summary = {
        "programme": first.get("programme"),
        "period_end": _cell(first.get("period_end")) or None,
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


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> None:
    """A CSV with `columns` in order: empty for None, ISO dates, floats to 12 significant digits."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(c)) for c in columns])


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.12g}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# --- highest need --------------------------------------------------------------------------


def pcn_need_rows(
    source: Plan | Iterable[Mapping[str, Any]],
    *,
    uplift: float = DEFAULT_NEED_UPLIFT,
    names: Mapping[str, str] | None = None,
) -> list[dict[str, object]]:
    """PCNs ranked by highest need (docs/inequalities.md) from a plan or practices.csv rows."""
    practices = [p.as_row() for p in source.practices] if isinstance(source, Plan) else list(source)
    ranked = rank_pcns_by_need((PracticeNeed.from_row(r) for r in practices), uplift)
    names = names or {}
    return [
        {**pcn.as_row(), "pcn_name": names.get(pcn.pcn_code, ""), "uplift": uplift}
        for pcn in ranked
    ]


def publish_pcn_need(
    rows: Sequence[Mapping[str, Any]], policy: PublicationPolicy
) -> list[dict[str, object]]:
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
            row["need"] = round_count(math.floor(need + 0.5), policy)
        out.append(row)
    return out


def write_pcn_need(
    rows: Sequence[Mapping[str, Any]], out_dir: Path, publish: PublicationPolicy | None = None
) -> Path:
    """pcn_need.csv, highest need first, with the uplift used and the output's note."""
    shown = list(rows) if publish is None else publish_pcn_need(rows, publish)
    note = output_note(publish)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "pcn_need.csv"
    write_csv(path, PCN_NEED_COLUMNS, ({**r, "publication": note} for r in shown))
    return path


# --- for charts ----------------------------------------------------------------------------


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
