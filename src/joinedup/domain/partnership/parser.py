"""A parsed plan file (TOML, as a mapping) to a checked `PartnershipPlan`, or one clear error.

Why: the plan is written by people, not programs, so every key is checked (a typo must not
quietly drop a target), and the first problem is named by file, entry and field, e.g.
`plan.toml: priority 2 'mental-health', ambition 1 'suicide', target 1, field 'change': …`.
docs/dashboard.md describes every key (a test checks it against `PLAN_KEYS`). Pure: the
caller reads the file (`joinedup.sources.partnership`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime

from joinedup.domain.partnership.model import (
    FOOTPRINT,
    PROGRAMME_FIGURES,
    Direction,
    MeasureDefinition,
    PartnershipPlan,
    PlanAmbition,
    PlanError,
    Priority,
    ProgrammeFigure,
    Target,
    TripleAim,
)

PLAN_KEYS: Mapping[str, frozenset[str]] = {
    "": frozenset({"title", "description", "measures_file", "measures", "priority"}),
    "measures.<key>": frozenset({"title", "unit", "source"}),
    "priority": frozenset({"key", "title", "description", "ambition"}),
    "priority.ambition": frozenset({
        "key", "title", "description", "triple_aim", "direction", "measure", "programme",
        "figure", "baseline_date", "target"}),
    "priority.ambition.target": frozenset({"areas", "value", "change", "by"}),
}
"""Every key a plan file may use, by section; any other key is refused."""

_KEY = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")
_AREA = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,15}$")


def plan_from_mapping(data: Mapping[str, object], file: str) -> PartnershipPlan:
    """Check a parsed plan file; `file` is how messages name it."""
    return _Parser(file).plan(data)


class _Parser:
    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, where: str, reason: str) -> PlanError:
        return PlanError(f"{self.file}: {where}: {reason}" if where else f"{self.file}: {reason}")

    # -- the sections --
    def plan(self, data: Mapping[str, object]) -> PartnershipPlan:
        self.known(data, "", PLAN_KEYS[""])
        measures = self.measures(data.get("measures", {}))
        raw = self.entries(data.get("priority"), "", "priority")
        if not raw:
            raise self.fail("", "no [[priority]] entries; a plan needs at least one priority")
        priorities = []
        ambition_keys: set[str] = set()
        for index, entry in enumerate(raw, start=1):
            priority = self.priority(entry, index, measures)
            for ambition in priority.ambitions:
                if ambition.key in ambition_keys:
                    raise self.fail(ambition.where, f"ambition key '{ambition.key}' is used twice")
                ambition_keys.add(ambition.key)
            priorities.append(priority)
        self.unique([p.key for p in priorities], "priority")
        measures_file = data.get("measures_file")
        if measures_file is not None and not (isinstance(measures_file, str)
                                              and measures_file.strip()):
            raise self.fail("field 'measures_file'", "expected the name of a CSV file")
        used = {a.measure for p in priorities for a in p.ambitions if a.measure}
        if used and measures_file is None:
            raise self.fail("field 'measures_file'", "missing: ambitions use the partnership's "
                            f"own measures ({', '.join(sorted(used))})")
        return PartnershipPlan(
            title=self.text(data, "title", ""), priorities=tuple(priorities), measures=measures,
            description=self.optional_text(data, "description", ""),
            measures_file=measures_file.strip() if isinstance(measures_file, str) else None)

    def measures(self, value: object) -> dict[str, MeasureDefinition]:
        if not isinstance(value, Mapping):
            raise self.fail("field 'measures'", "expected a table of [measures.<key>] tables")
        out = {}
        for key, entry in value.items():
            where = f"measure '{key}'"
            if not _KEY.match(str(key)):
                raise self.fail(where, "a measure key is lower case letters, digits, - and _")
            table = self.table(entry, where)
            self.known(table, where, PLAN_KEYS["measures.<key>"])
            out[str(key)] = MeasureDefinition(
                key=str(key), title=self.text(table, "title", where),
                unit=self.text(table, "unit", where), source=self.text(table, "source", where))
        return out

    def priority(self, entry: object, index: int,
                 measures: Mapping[str, MeasureDefinition]) -> Priority:
        table = self.table(entry, f"priority {index}")
        key = self.key(table, f"priority {index}")
        where = f"priority {index} '{key}'"
        self.known(table, where, PLAN_KEYS["priority"])
        raw = self.entries(table.get("ambition"), where, "ambition")
        if not raw:
            raise self.fail(where, "no [[priority.ambition]] entries")
        ambitions = tuple(self.ambition(a, f"{where}, ambition {i}", measures)
                          for i, a in enumerate(raw, start=1))
        return Priority(key=key, title=self.text(table, "title", where), ambitions=ambitions,
                        description=self.optional_text(table, "description", where))

    def ambition(self, entry: object, prefix: str,
                 measures: Mapping[str, MeasureDefinition]) -> PlanAmbition:
        table = self.table(entry, prefix)
        key = self.key(table, prefix)
        where = f"{prefix} '{key}'"
        self.known(table, where, PLAN_KEYS["priority.ambition"])
        aims = self.aims(table.get("triple_aim"), where)
        direction = self.choice(table, "direction", where, [d.value for d in Direction])
        measure, figure = self.measure(table, where, measures)
        baseline = table.get("baseline_date")
        if baseline is not None and not _is_date(baseline):
            raise self.fail(f"{where}, field 'baseline_date'", "expected a date (YYYY-MM-DD)")
        raw = self.entries(table.get("target"), where, "target")
        if not raw:
            raise self.fail(where, "no [[priority.ambition.target]] entries")
        targets = tuple(self.target(t, f"{where}, target {i}", Direction(direction), figure)
                        for i, t in enumerate(raw, start=1))
        seen: set[str] = set()
        for target in targets:
            for area in target.areas:
                if area in seen:
                    raise self.fail(f"{target.where}, field 'areas'",
                                    f"area {area} has a target already")
                seen.add(area)
            if isinstance(baseline, date) and target.by <= baseline:
                raise self.fail(f"{target.where}, field 'by'", "must be after the baseline_date")
        return PlanAmbition(
            key=key, title=self.text(table, "title", where), triple_aim=aims,
            direction=Direction(direction), targets=targets, measure=measure,
            programme_figure=figure, baseline_date=baseline if isinstance(baseline, date) else None,
            description=self.optional_text(table, "description", where), where=where)

    def measure(self, table: Mapping[str, object], where: str,
                measures: Mapping[str, MeasureDefinition]
                ) -> tuple[str | None, ProgrammeFigure | None]:
        own, programme = table.get("measure"), table.get("programme")
        if (own is None) == (programme is None):
            raise self.fail(where, "give either 'measure' (one of the partnership's own) or "
                                   "'programme' and 'figure' (a find-and-treat figure)")
        if own is not None:
            if "figure" in table:
                raise self.fail(f"{where}, field 'figure'", "only with 'programme'")
            if own not in measures:
                raise self.fail(f"{where}, field 'measure'",
                                f"{own!r} is not declared under [measures]")
            return str(own), None
        name = self.text(table, "programme", where)
        figure = self.choice(table, "figure", where, sorted(PROGRAMME_FIGURES))
        return None, ProgrammeFigure(programme=name, figure=figure)

    def target(self, entry: object, where: str, direction: Direction,
               figure: ProgrammeFigure | None) -> Target:
        table = self.table(entry, where)
        self.known(table, where, PLAN_KEYS["priority.ambition.target"])
        areas = table.get("areas")
        if not isinstance(areas, list) or not areas:
            raise self.fail(f"{where}, field 'areas'",
                            f"expected a list of organisation codes or '{FOOTPRINT}'")
        for area in areas:
            if not isinstance(area, str) or not (area == FOOTPRINT or _AREA.match(area)):
                raise self.fail(f"{where}, field 'areas'", f"{area!r} is not an organisation "
                                f"code (upper case) or '{FOOTPRINT}'")
        by = table.get("by")
        if not _is_date(by):
            raise self.fail(f"{where}, field 'by'", "expected a date (YYYY-MM-DD)")
        value, change = table.get("value"), table.get("change")
        if (value is None) == (change is None):
            raise self.fail(where, "give either 'value' (a level to reach) or 'change' (a "
                                   "fraction of the baseline, e.g. -0.10)")
        if value is not None:
            level = self.number(value, f"{where}, field 'value'")
            if figure is not None and not 0 < level <= 1:
                raise self.fail(f"{where}, field 'value'",
                                f"a {figure.figure} target is a share in (0, 1], got {value!r}")
        else:
            step = self.number(change, f"{where}, field 'change'")
            if step <= -1 or step == 0:
                raise self.fail(f"{where}, field 'change'", "must be above -1 and not 0")
            if (step > 0) != (direction is Direction.INCREASE):
                raise self.fail(f"{where}, field 'change'",
                                f"{change!r} goes against the ambition's direction "
                                f"({direction.value})")
        return Target(areas=tuple(str(a) for a in areas), by=by,  # type: ignore[arg-type]
                      value=None if value is None else float(value),  # type: ignore[arg-type]
                      change=None if change is None else float(change),  # type: ignore[arg-type]
                      where=where)

    def aims(self, value: object, where: str) -> tuple[TripleAim, ...]:
        names = [a.value for a in TripleAim]
        if not isinstance(value, list) or not value:
            raise self.fail(f"{where}, field 'triple_aim'", f"expected a list from {names}")
        aims = []
        for item in value:
            if item not in names:
                raise self.fail(f"{where}, field 'triple_aim'",
                                f"{item!r} is not one of {names}")
            aims.append(TripleAim(item))
        if len(set(aims)) != len(aims):
            raise self.fail(f"{where}, field 'triple_aim'", "an aim is listed twice")
        return tuple(aims)

    # -- typed fields --
    def entries(self, value: object, where: str, name: str) -> Sequence[object]:
        if value is None:
            return []
        if not isinstance(value, list):
            at = f"{where}, field '{name}'" if where else f"field '{name}'"
            raise self.fail(at, f"expected [[{name}]] tables")
        return value

    def table(self, value: object, where: str) -> Mapping[str, object]:
        if not isinstance(value, Mapping):
            raise self.fail(where, "expected a table")
        return value

    def known(self, table: Mapping[str, object], where: str, allowed: frozenset[str]) -> None:
        unknown = sorted(set(table) - allowed)
        if unknown:
            at = f"{where}, field '{unknown[0]}'" if where else f"field '{unknown[0]}'"
            raise self.fail(at, f"unknown key; expected one of {sorted(allowed)}")

    def key(self, table: Mapping[str, object], where: str) -> str:
        value = table.get("key")
        if not isinstance(value, str) or not _KEY.match(value):
            raise self.fail(f"{where}, field 'key'",
                            "expected lower case letters, digits, - and _ (starting a-z)")
        return value

    def text(self, table: Mapping[str, object], name: str, where: str) -> str:
        value = table.get(name)
        at = f"{where}, field '{name}'" if where else f"field '{name}'"
        if value is None:
            raise self.fail(at, "missing")
        if not isinstance(value, str) or not value.strip():
            raise self.fail(at, "expected non-empty text")
        return value.strip()

    def optional_text(self, table: Mapping[str, object], name: str, where: str) -> str:
        return self.text(table, name, where) if name in table else ""

    def choice(self, table: Mapping[str, object], name: str, where: str,
               options: list[str]) -> str:
        value = self.text(table, name, where)
        if value not in options:
            raise self.fail(f"{where}, field '{name}'", f"{value!r} is not one of {options}")
        return value

    def number(self, value: object, where: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(where, f"expected a number, got {value!r}")
        return float(value)

    def unique(self, keys: list[str], what: str) -> None:
        seen: set[str] = set()
        for index, key in enumerate(keys, start=1):
            if key in seen:
                raise self.fail(f"{what} {index} '{key}'", f"{what} key '{key}' is used twice")
            seen.add(key)


def _is_date(value: object) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)
