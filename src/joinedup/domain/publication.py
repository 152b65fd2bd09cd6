"""Every disclosure rule for joinedup's own tables, in one place: what is published and how.

Why one module: `disclosure` knows how to suppress and round, `recoverability` how to tell
whether a suppressed cell can be worked out; this module knows *our* tables — which columns are
counts of people, which figures derive from which counts, and how the tables of one run add up
across each other (practices to PCN, sub-ICB, place, ICS, wave, deprivation quintile and the
footprint; breakdown groups to the footprint; the last progress period to the practice table).
Practices, roll-ups, the summary and its waves, breakdowns, PCN need, progress and the report
all publish through `publish_run` (or `publish_progress` alone), so one cell has one published
value in every file and no combination of files gives a suppressed cell back.

The rules (docs/disclosure.md has worked examples):

1. **Primary**: a count from 1 to the threshold (7) is suppressed; 0 is published.
2. **Secondary**: within every group whose total is published, a lone suppressed member takes
   its smallest non-zero sibling with it; then the linear-algebra check (`recoverability`) adds
   suppression until no suppressed cell follows from everything published together.
3. **Derived**: a gap is suppressed with the counts it comes from (to_find with recorded,
   to_treat with treated and eligible), `expected` with `list_size`; rates, opportunity, impact,
   wave shares and PCN need are recomputed from the *published* counts (`Derivation`), never
   carried over from exact figures, so none is more precise than the counts shown beside it.
4. **Rounding**: other counts to the nearest 5, halves up. One rule for modelled figures that are
   not counts (`expected`, need): a whole number, halves up (12.5 → 13) (`whole_number`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from joinedup.domain.disclosure import (
    DisclosureError,
    PublicationPolicy,
    is_small,
    publish_rows,
    published_rate,
    round_count,
)
from joinedup.domain.need import deprivation_weight
from joinedup.domain.recoverability import LinearSystem, protect

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
DERIVED_COUNTS = {
    "to_find": ("recorded",),
    "to_treat": ("treated", "eligible"),
    "expected": ("list_size",),
}
"""Counts (and `expected`) hidden whenever a count they are computed from is hidden."""
BREAKDOWN_COUNTS = ("list_size", "recorded", "eligible", "treated", "exceptions", "expected")
PRACTICE_DEPRIVATION = "practice_imd_quintile"
UNKNOWN = "Unknown"
NO_PCN = "(no PCN)"

Impact = Callable[[int, int], Mapping[str, float | None]]
"""(to_treat, to_find) -> the impact columns, from the programme's impact model."""


def whole_number(value: float) -> int:
    """A modelled figure as a whole number, halves up: the one rounding rule for non-counts."""
    return math.floor(value + 0.5)


@dataclass(frozen=True)
class Derivation:
    """How a run's derived figures are recomputed from published counts (given by the use case:
    the targeting weights and the programme's own impact model at its ambition)."""

    weight_find: float = 1.0
    weight_treat: float = 1.0
    impact: Impact | None = None
    need_uplift: float = 0.5

    def opportunity(self, to_find: int | None, to_treat: int | None) -> float | None:
        if to_find is None or to_treat is None:
            return None
        return self.weight_find * to_find + self.weight_treat * to_treat

    def impact_columns(self, to_find: int | None, to_treat: int | None) -> dict[str, Any]:
        if self.impact is None or to_find is None or to_treat is None:
            return dict.fromkeys(IMPACT_COLUMNS)
        return {c: self.impact(to_treat, to_find).get(c) for c in IMPACT_COLUMNS}


@dataclass
class RunTables:
    """A run's tables as plain rows, exact or published (the shapes the writers take)."""

    practices: list[dict[str, Any]]
    rollups: list[dict[str, Any]]
    summary: dict[str, Any]
    breakdowns: list[dict[str, Any]] = field(default_factory=list)
    pcn_need: list[dict[str, Any]] = field(default_factory=list)
    progress: list[dict[str, Any]] = field(default_factory=list)
    suppressed: frozenset[Any] = frozenset()
    """(cell, column) of every suppressed count, when published (for audits and tests)."""


# --- the cells of a run and how they add up ------------------------------------------------


CellId = tuple[Hashable, ...]


class _Cells:
    """One `LinearSystem` per column, and the groups whose totals are published."""

    def __init__(self) -> None:
        self.systems: dict[str, LinearSystem] = {}
        self.groups: dict[str, list[list[Any]]] = {}

    def system(self, column: str) -> LinearSystem:
        return self.systems.setdefault(column, LinearSystem())

    def base(self, cell: CellId, column: str, value: Any) -> None:
        self.system(column).add_base((cell, column), _count(value, cell, column))

    def total(self, cell: CellId, column: str, value: Any, members: Iterable[CellId]) -> None:
        keys = [(m, column) for m in members]
        combination: dict[Hashable, float] = {}
        for key in keys:
            for var, coefficient in self.system(column).cells[key].items():
                combination[var] = combination.get(var, 0.0) + coefficient
        self.system(column).add((cell, column), combination, _count(value, cell, column))
        self.groups.setdefault(column, []).append([*keys, (cell, column)])

    def value(self, cell: CellId, column: str) -> Any:
        return self.system(column).values.get((cell, column))

    def holds(self, cell: CellId, column: str) -> bool:
        return column in self.systems and (cell, column) in self.systems[column].cells


def _count(value: Any, cell: CellId, column: str) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if column == "expected":
        return float(value)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise DisclosureError(f"{cell}, column {column!r}: {value!r} is not a count")
    if isinstance(value, float) and not value.is_integer():
        raise DisclosureError(f"{cell}, column {column!r}: {value!r} is not a whole number")
    return int(value)


def _members(practices: Sequence[Mapping[str, Any]], column: str) -> list[Mapping[str, Any]]:
    """Practices that a total of `column` sums over: those where it is known (eligible and
    treated where both are, as the roll-ups sum them)."""
    if column in ("eligible", "treated"):
        return [p for p in practices if p.get("eligible") is not None
                and p.get("treated") is not None]
    return [p for p in practices if p.get(column) is not None]


def _cells_of(period: Any, practices: Iterable[Mapping[str, Any]]) -> list[CellId]:
    return [("practice", period, p["practice_code"]) for p in practices]


def _practice_cells(
    cells: _Cells, period: Any, practices: Sequence[Mapping[str, Any]], columns: Iterable[str],
    rollups: Sequence[Mapping[str, Any]], footprint: Mapping[str, Any] | None,
) -> None:
    """Practices as base cells, and every roll-up and the footprint as sums of them."""
    for column in columns:
        for p in practices:
            if column in p:
                cells.base(("practice", period, p["practice_code"]), column, p[column])
        members = _members([p for p in practices if column in p], column)
        by_area: dict[tuple[str, Any], list[Mapping[str, Any]]] = {}
        levels = {str(r["level"]) for r in rollups}
        for m in members:
            for level in levels:
                by_area.setdefault((level, m.get(f"{level}_code")), []).append(m)
        for r in rollups:
            if column in r:
                inside = by_area.get((str(r["level"]), r["code"]), [])
                cells.total(("rollup", period, r["level"], r["code"]), column, r[column],
                            _cells_of(period, inside))
        if footprint is not None and column in footprint:
            cells.total(("footprint", period), column, footprint[column],
                        _cells_of(period, members))
        _sibling_totals(cells, period, column, members,
                        [r for r in rollups if column in r],
                        footprint is not None and column in footprint)


def _sibling_totals(
    cells: _Cells, period: Any, column: str, members: Sequence[Mapping[str, Any]],
    rollups: Sequence[Mapping[str, Any]], with_footprint: bool,
) -> None:
    """Groups of totals that add up to a coarser total: a place's PCNs, the footprint's places.

    Why: suppression then runs down the hierarchy — a hidden place is protected by hiding
    another place, and that place by one of its PCNs — instead of up to the footprint total.
    Levels are nested where every member practice of each finer total falls in one coarser
    total; each level is grouped under the next coarser level it nests in, else the footprint.
    """
    levels: dict[str, dict[Any, set[Any]]] = {}
    for r in rollups:
        levels.setdefault(str(r["level"]), {})[r["code"]] = set()
    for m in members:
        for level, parts in levels.items():
            code = m.get(f"{level}_code")
            if code in parts:
                parts[code].add(m["practice_code"])
    everything = {m["practice_code"] for m in members}
    coarse_first = sorted(levels, key=lambda level: len(levels[level]))
    for level in coarse_first:
        parts = levels[level]
        if len(parts) < 2:
            continue
        parent_level = next(  # the finest level coarser than this one that it nests in
            (other for other in reversed(coarse_first)
             if len(levels[other]) < len(parts) and _nests(parts, levels[other])), None)
        if parent_level is None:
            if with_footprint and set().union(*parts.values()) == everything:
                cells.groups.setdefault(column, []).append(
                    [(("rollup", period, level, code), column) for code in parts]
                    + [(("footprint", period), column)])
            continue
        for parent, covered in levels[parent_level].items():
            children = [code for code, inside in parts.items() if inside and inside <= covered]
            if len(children) >= 2:
                cells.groups.setdefault(column, []).append(
                    [(("rollup", period, level, code), column) for code in children]
                    + [(("rollup", period, parent_level, parent), column)])


def _nests(finer: Mapping[Any, set[Any]], coarser: Mapping[Any, set[Any]]) -> bool:
    """Whether every finer total's practices fall within one coarser total."""
    return all(any(inside <= covered for covered in coarser.values())
               for inside in finer.values() if inside)


def _run_cells(tables: RunTables) -> _Cells:
    practices, summary = tables.practices, tables.summary
    period = summary.get("period_end")
    cells = _Cells()
    columns = [c for c in (*COUNTS, "expected") if practices and c in practices[0]]
    _practice_cells(cells, period, practices, columns, tables.rollups, summary)
    _wave_cells(cells, period, practices, summary)
    _breakdown_cells(cells, period, practices, tables.breakdowns)
    _pcn_need_cells(cells, period, practices, tables.pcn_need)
    _progress_cells(cells, tables.progress, reference=period)
    return cells


def _wave_cells(
    cells: _Cells, period: Any, practices: Sequence[Mapping[str, Any]], summary: Mapping[str, Any]
) -> None:
    for wave in summary.get("waves", []):
        for column in ("to_find", "to_treat"):
            members = [p for p in _members(practices, column) if p.get("wave") == wave["wave"]]
            cells.total(("wave", period, wave["wave"]), column, wave[column],
                        _cells_of(period, members))


def _breakdown_cells(
    cells: _Cells, period: Any, practices: Sequence[Mapping[str, Any]],
    rows: Sequence[Mapping[str, Any]],
) -> None:
    """Footprint breakdowns: the practices' own quintile sums practices; a patient dimension's
    groups are base cells but for one, which is the footprint less the others."""
    by_dimension: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        if row.get("level") != "footprint":
            raise DisclosureError("only footprint breakdowns are published with a run")
        by_dimension.setdefault(str(row["dimension"]), []).append(row)
    for dimension, groups in by_dimension.items():
        for column in BREAKDOWN_COUNTS:
            known = [g for g in groups if g.get(column) is not None]
            if dimension == PRACTICE_DEPRIVATION:
                members = _members(practices, column)
                for g in known:
                    inside = [m for m in members
                              if (m.get("imd_quintile") or UNKNOWN) == g["group"]]
                    cells.total(("breakdown", period, dimension, g["group"]), column, g[column],
                                _cells_of(period, inside))
                if cells.holds(("footprint", period), column) and len(known) == len(groups):
                    cells.groups.setdefault(column, []).append(
                        [(("breakdown", period, dimension, g["group"]), column) for g in known]
                        + [(("footprint", period), column)])
                continue
            if not known or not cells.holds(("footprint", period), column):
                continue
            *free, last = known
            for g in free:
                cells.base(("breakdown", period, dimension, g["group"]), column, g[column])
            combination = dict(cells.system(column).cells[(("footprint", period), column)])
            for g in free:
                key = (("breakdown", period, dimension, g["group"]), column)
                combination[key] = combination.get(key, 0.0) - 1.0
            last_cell = ("breakdown", period, dimension, last["group"])
            cells.system(column).add((last_cell, column), combination,
                                     _count(last[column], last_cell, column))
            cells.groups.setdefault(column, []).append(
                [(("breakdown", period, dimension, g["group"]), column) for g in known]
                + [(("footprint", period), column)])


def _pcn_need_cells(
    cells: _Cells, period: Any, practices: Sequence[Mapping[str, Any]],
    rows: Sequence[Mapping[str, Any]],
) -> None:
    """A PCN's to_find and to_treat are its roll-up's (one cell, one published value)."""
    for row in rows:
        code = None if row["pcn_code"] == NO_PCN else row["pcn_code"]
        for column in ("to_find", "to_treat"):
            members = [p for p in _members(practices, column) if p.get("pcn_code") == code]
            cells.total(("rollup", period, "pcn", code), column, row[column],
                        _cells_of(period, members))


def _progress_cells(
    cells: _Cells, rows: Sequence[Mapping[str, Any]], reference: Any
) -> None:
    """Each period's practices and roll-ups; the run's own period shares the run's cells (and
    `LinearSystem.add` refuses a progress row that disagrees with the practice table)."""
    by_period: dict[Any, list[Mapping[str, Any]]] = {}
    for row in rows:
        by_period.setdefault(_iso(row["period_end"]), []).append(row)
    for day, group in by_period.items():
        practices = [{**r, "practice_code": r["code"]} for r in group if r["level"] == "practice"]
        rollups = [r for r in group if r["level"] != "practice"]
        columns = [c for c in (*COUNTS, "expected") if group and c in group[0]]
        _practice_cells(cells, day, practices, columns, rollups, None)


def _iso(day: Any) -> Any:
    return day.isoformat() if hasattr(day, "isoformat") else day


def _suppress(cells: _Cells, policy: PublicationPolicy) -> set[Any]:
    """Primary suppression, then derived and secondary suppression until nothing changes."""
    hidden: set[Any] = set()
    for column, system in cells.systems.items():
        if column == "expected":
            continue
        hidden |= {k for k, v in system.values.items()
                   if v is not None and is_small(int(v), policy)}
    while True:
        before = len(hidden)
        _spread_to_derived(cells, hidden)
        for column, system in cells.systems.items():
            mine = {k for k in hidden if k[1] == column}
            groups = cells.groups.get(column, [])
            groups_of: dict[Any, list[Sequence[Any]]] = {}
            for group in groups:
                for cell in group:
                    groups_of.setdefault(cell, []).append(group)
            while True:  # the quick rule first, to a fixed point; linear algebra for the rest
                size = len(mine)
                for group in groups:
                    _protect_group(system, group, mine, groups_of)
                if len(mine) == size:
                    break
            hidden |= protect(system, mine, groups=groups)
        if len(hidden) == before:
            return hidden


def _spread_to_derived(cells: _Cells, hidden: set[Any]) -> None:
    for target, sources in DERIVED_COUNTS.items():
        for cell, column in list(hidden):
            if column in sources and cells.holds(cell, target):
                hidden.add((cell, target))


def _protect_group(
    system: LinearSystem, group: Sequence[Any], hidden: set[Any],
    groups_of: Mapping[Any, list[Sequence[Any]]],
) -> None:
    """The quick rule first: a group (members and their total, one equation) never has exactly
    one suppressed cell. The extra cell is a member, preferably one that also mends another
    group left with one suppressed cell (so chains of suppression close into cycles quickly),
    then non-zero and small; the total only when no member is left."""
    *members, total = group
    if system.values.get(total) is None:
        return
    known = [m for m in group if system.values.get(m) is not None]
    if sum(m in hidden for m in known) != 1:
        return
    candidates = [m for m in members if m in known and m not in hidden]
    if not candidates and total not in hidden:
        candidates = [total]

    def lonely(cell: Any) -> bool:
        return any(other is not group
                   and sum(m in hidden for m in other if system.values.get(m) is not None) == 1
                   for other in groups_of.get(cell, []))

    if candidates:
        hidden.add(min(candidates, key=lambda m: (not lonely(m), system.values[m] == 0,
                                                  system.values[m], repr(m))))


def _published(
    hidden: set[Any], policy: PublicationPolicy, cell: CellId, column: str, value: Any
) -> Any:
    if value is None or (cell, column) in hidden:
        return None
    if column == "expected":
        whole = whole_number(float(value))
        return round_count(whole, policy) if cell[0] == "breakdown" else whole
    return round_count(int(value), policy)


# --- the whole run, and progress alone ------------------------------------------------------


def publish_run(
    tables: RunTables, policy: PublicationPolicy, derivation: Derivation | None = None
) -> RunTables:
    """Every table of a run as published, suppressed together and derived from what is shown."""
    derivation = derivation or Derivation()
    period = tables.summary.get("period_end")
    hidden = _suppress(_run_cells(tables), policy)

    def shown(cell: CellId, column: str, value: Any) -> Any:
        return _published(hidden, policy, cell, column, value)

    return RunTables(
        practices=[_practice_row(r, shown, period, derivation) for r in tables.practices],
        rollups=[_rollup_row(r, shown, period, derivation) for r in tables.rollups],
        summary=_summary(tables.summary, shown, period, derivation, policy),
        breakdowns=[_breakdown_row(r, shown, period) for r in tables.breakdowns],
        pcn_need=_pcn_need_rows(tables.pcn_need, shown, period, tables.practices, derivation,
                                policy),
        progress=_progress_rows(tables.progress, shown),
        suppressed=frozenset(hidden),
    )


def linear_systems(tables: RunTables) -> dict[str, LinearSystem]:
    """Each column's cells of a run as combinations of practice (and breakdown group) cells:
    what a reader of every published file together can solve for (`recoverability`)."""
    return _run_cells(tables).systems


def publish_progress(
    rows: Sequence[Mapping[str, Any]], policy: PublicationPolicy
) -> list[dict[str, Any]]:
    """progress.csv rows alone, as published: each period's practices and roll-ups together."""
    cells = _Cells()
    _progress_cells(cells, rows, reference=None)
    hidden = _suppress(cells, policy)

    def shown(cell: CellId, column: str, value: Any) -> Any:
        return _published(hidden, policy, cell, column, value)

    return _progress_rows(rows, shown)


# --- published rows, derived figures from published counts ---------------------------------


Shown = Callable[[CellId, str, Any], Any]


def _counts(
    row: Mapping[str, Any], cell: CellId, shown: Shown, columns: Iterable[str]
) -> dict[str, Any]:
    out = dict(row)
    for column in columns:
        if column in row:
            out[column] = shown(cell, column, row[column])
    for rate, (numerator, denominator) in RATES.items():
        if rate in row:
            out[rate] = published_rate(out.get(numerator), out.get(denominator))
    return out


def _derived(out: dict[str, Any], derivation: Derivation) -> dict[str, Any]:
    if "opportunity" in out:
        out["opportunity"] = derivation.opportunity(out.get("to_find"), out.get("to_treat"))
    impact = derivation.impact_columns(out.get("to_find"), out.get("to_treat"))
    for column in IMPACT_COLUMNS:
        if column in out:
            out[column] = impact[column]
    return out


def _practice_row(
    row: Mapping[str, Any], shown: Shown, period: Any, derivation: Derivation
) -> dict[str, Any]:
    out = _counts(row, ("practice", period, row["practice_code"]), shown, (*COUNTS, "expected"))
    return _derived(out, derivation)


def _rollup_row(
    row: Mapping[str, Any], shown: Shown, period: Any, derivation: Derivation
) -> dict[str, Any]:
    out = _counts(row, ("rollup", period, row["level"], row["code"]), shown, (*COUNTS, "expected"))
    return _derived(out, derivation)


def _summary(
    summary: Mapping[str, Any], shown: Shown, period: Any, derivation: Derivation,
    policy: PublicationPolicy,
) -> dict[str, Any]:
    out = _derived(_counts(summary, ("footprint", period), shown, (*COUNTS, "expected")),
                   derivation)
    total = derivation.opportunity(out.get("to_find"), out.get("to_treat"))
    waves = []
    cumulative: float | None = 0.0
    for wave in summary.get("waves", []):
        new = dict(wave)
        for column in ("to_find", "to_treat"):
            new[column] = shown(("wave", period, wave["wave"]), column, wave[column])
        impact = derivation.impact_columns(new["to_find"], new["to_treat"])
        for column in ("strokes_prevented_per_year", "savings_gbp_per_year"):
            new[column] = impact[column]
        opportunity = derivation.opportunity(new["to_find"], new["to_treat"])
        share = None if opportunity is None or not total else opportunity / total
        cumulative = None if share is None or cumulative is None else cumulative + share
        new["share_of_footprint"], new["cumulative_share"] = share, cumulative
        waves.append(new)
    if "waves" in out:
        out["waves"] = waves
    out["publication"] = policy.note
    return out


def _breakdown_row(row: Mapping[str, Any], shown: Shown, period: Any) -> dict[str, Any]:
    cell = ("breakdown", period, row["dimension"], row["group"])
    out = dict(row)
    for column in BREAKDOWN_COUNTS:
        if column in row:
            out[column] = shown(cell, column, row[column])
    return out


def _pcn_need_rows(
    rows: Sequence[Mapping[str, Any]], shown: Shown, period: Any,
    practices: Sequence[Mapping[str, Any]], derivation: Derivation, policy: PublicationPolicy,
) -> list[dict[str, Any]]:
    """Each PCN's counts as its roll-up publishes them; need from its practices' published gaps
    (unknown when any of them is hidden), a whole number rounded to the base. The rank is kept:
    it is an order, from the exact figures."""
    out = []
    for row in rows:
        code = None if row["pcn_code"] == NO_PCN else row["pcn_code"]
        new = dict(row)
        for column in ("to_find", "to_treat"):
            new[column] = shown(("rollup", period, "pcn", code), column, row[column])
        need: float | None = 0.0
        total = 0.0
        for exact in (p for p in practices if p.get("pcn_code") == code):
            published = _practice_row(exact, shown, period, derivation)
            gap = [published.get(c) for c in ("to_find", "to_treat")]
            if any(g is None and exact.get(c) is not None
                   for g, c in zip(gap, ("to_find", "to_treat"), strict=True)):
                need = None  # a hidden gap must not show through the need
                break
            weight = deprivation_weight(exact.get("imd_quintile"), derivation.need_uplift)
            total += ((gap[0] or 0) + (gap[1] or 0)) * weight
        else:
            need = total
        new["need"] = None if need is None else round_count(whole_number(need), policy)
        out.append(new)
    return out


def _progress_rows(rows: Sequence[Mapping[str, Any]], shown: Shown) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        day = _iso(row["period_end"])
        cell = (("practice", day, row["code"]) if row["level"] == "practice"
                else ("rollup", day, row["level"], row["code"]))
        out.append(_counts(row, cell, shown, (*COUNTS, "expected")))
    return out


# --- a breakdown table published alone (a script's, not a run's) --------------------------


def publish_breakdowns(
    rows: Sequence[Mapping[str, Any]], policy: PublicationPolicy
) -> list[dict[str, Any]]:
    """Breakdown count rows published on their own (no practice table beside them).

    Siblings are the groups of one dimension of one organisation, and one group across the
    organisations of a level. `expected` is published as a count (a whole number, rounded) and
    hidden with `list_size`. A run publishes its breakdowns with `publish_run` instead.
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
        prepared, list(BREAKDOWN_COUNTS), policy=policy,
        groupings=(("level", "org_code", "dimension"), ("level", "dimension", "group")),
        derived={"expected": ("list_size",)},
    )
    return table.rows


__all__ = [
    "COUNTS",
    "IMPACT_COLUMNS",
    "RATES",
    "Derivation",
    "RunTables",
    "linear_systems",
    "publish_breakdowns",
    "publish_progress",
    "publish_run",
    "whole_number",
]
