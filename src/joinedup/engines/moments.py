"""When the rules are evaluated: at one reference date, or at several period ends in one pass.

Why: progress and trends measure a programme at 8, 12 or 24 period ends. Measured one date at a
time, each period is a query of its own, and compiling the query (the flags join every event
table) cost more than running it: 12 monthly periods on 100,000 patients took 15 s, nearly all in
Ibis. With several dates the same rules are compiled once, over a small table of the period ends:
every patient is paired with every period end, each event with the period ends on or after it,
and every date the rules compare against (the end, the start of each "within N months" window,
the version of a rule in force) is a column of that table instead of a literal. With one date the
literals are kept, so a single run's query is unchanged.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

import ibis
import ibis.expr.types as ir

from joinedup.domain.calendar import months_before
from joinedup.domain.programme import Coded, Criterion, DatedRule, LatestValue, walk
from joinedup.engines.tables import in_memory

PERIOD_END = "period_end"


def window_column(months: int) -> str:
    return f"window_start__{months}"


def version_column(name: str) -> str:
    return f"version__{name}"


@dataclass(frozen=True)
class Moments:
    """The reference dates of one evaluation, and the windows and dated rules the rules use."""

    days: tuple[date, ...]
    windows: tuple[int, ...] = ()
    dated: tuple[tuple[str, DatedRule], ...] = ()

    @classmethod
    def of(
        cls,
        days: Iterable[date],
        criteria: Iterable[Criterion],
        dated: Iterable[tuple[str, DatedRule]] = (),
    ) -> Moments:
        ordered = tuple(sorted(set(days)))
        if not ordered:
            raise ValueError("no reference date to evaluate the rules at")
        months = {
            c.within_months
            for top in criteria
            for c in walk(top)
            if isinstance(c, Coded | LatestValue) and c.within_months is not None
        }
        return cls(ordered, tuple(sorted(months)), tuple(dated))

    @property
    def single(self) -> bool:
        return len(self.days) == 1

    @property
    def keys(self) -> tuple[str, ...]:
        """The columns one row of patient features is keyed by."""
        return ("patient_id",) if self.single else ("patient_id", PERIOD_END)

    @functools.cached_property
    def table(self) -> ir.Table:
        """One row per period end: the date, each window's start and each dated rule's version."""
        columns: dict[str, list[object]] = {PERIOD_END: list(self.days)}
        for months in self.windows:
            columns[window_column(months)] = [months_before(d, months) for d in self.days]
        for name, rule in self.dated:
            columns[version_column(name)] = [rule.versions.index(rule.at(d)) for d in self.days]
        schema = {PERIOD_END: "date", **{window_column(m): "date" for m in self.windows}}
        schema |= {version_column(name): "int64" for name, _ in self.dated}
        return in_memory(columns, ibis.schema(schema))

    def pair(self, patients: ir.Table) -> ir.Table:
        """Each patient once per period end (unchanged for one date)."""
        return patients if self.single else patients.cross_join(self.table)

    def events_until(self, events: ir.Table) -> ir.Table:
        """Events on or before the date: for several dates, each event once per period end on or
        after it, with that period's columns."""
        if self.single:
            return events.filter(events.date <= ibis.literal(self.days[0]))
        periods = self.table
        return events.join(periods, events.date <= periods[PERIOD_END])

    def end(self, table: ir.Table) -> ir.DateValue:
        return ibis.literal(self.days[0]) if self.single else table[PERIOD_END]

    def window_start(self, table: ir.Table, months: int) -> ir.DateValue:
        """The day before a "within `months` months" window opens (windows are half-open)."""
        if self.single:
            return ibis.literal(months_before(self.days[0], months))
        return table[window_column(months)]

    def in_force(
        self, table: ir.Table, name: str, compile_: Callable[[Criterion], ir.BooleanValue]
    ) -> ir.BooleanValue:
        """The dated rule `name` (one given to `of`), each period read in its version in force."""
        rule = dict(self.dated)[name]
        if self.single:
            return compile_(rule.at(self.days[0]).when)
        used = sorted({rule.versions.index(rule.at(d)) for d in self.days})
        if len(used) == 1:
            return compile_(rule.versions[used[0]].when)
        column = table[version_column(name)]
        return ibis.cases(
            *[(column == index, compile_(rule.versions[index].when)) for index in used[:-1]],
            else_=compile_(rule.versions[used[-1]].when),
        )
