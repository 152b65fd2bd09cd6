"""FHIR R4 search over the index: parameters, prefixes, modifiers, sorting, paging, includes.

Why: searching is how a clinician finds a patient and their encounters, observations and
medicines; it must follow R4's rules (http://hl7.org/fhir/R4/search.html) so any FHIR client
works. Supported: token (`system|code`, `|code`, `system|`, `code`; `:not`), reference (`123`,
`Patient/123`, an absolute URL; `:Type`), date with the prefixes eq ne gt lt ge le sa eb ap
(ranges compared as R4 says; `ap` is taken as "overlaps"), string (starts with, ignoring case
and accents; `:exact` is whole-value, also ignoring case and accents; `:contains`), `:missing`
on any parameter; several values separated by commas are ORed, repeated parameters ANDed;
`_sort` (comma-separated, `-` for descending), `_count` (default 50, at most 500) with
`_offset` in the paging links, `_include` and `_revinclude` (`Type:param[:Target]`),
`_summary=count`, `_total`. Unknown parameters are ignored and reported (lenient handling), or
refused with `Prefer: handling=strict`. The caller passes a visibility filter, so a search never
returns what the caller may not read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, not_, or_, select, true

from joinedup.record.outcome import FhirError, Issue, invalid
from joinedup.record.schema import fhir_resources, fhir_search
from joinedup.record.search_params import SearchParam, normalise, params_for, parse_span
from joinedup.record.store import RecordStore, Stored

DEFAULT_COUNT = 50
MAX_COUNT = 500
PREFIXES = ("eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap")
CONTROL = {"_count", "_offset", "_sort", "_include", "_revinclude", "_summary", "_total",
           "_format", "_pretty"}

Visible = Callable[[Any], ColumnElement[bool]]
"""Given the resources table, the condition for rows the caller may see."""


@dataclass
class SearchResult:
    matches: list[Stored]
    included: list[Stored]
    total: int | None
    offset: int
    count: int
    ignored: list[str] = field(default_factory=list)
    used: list[tuple[str, str]] = field(default_factory=list)


def run_search(store: RecordStore, res_type: str, query: list[tuple[str, str]],
               visible: Visible, strict: bool = False,
               allowed: Callable[[Stored], bool] = lambda s: True) -> SearchResult:
    t = fhir_resources
    known = params_for(res_type)
    conditions: list[ColumnElement[bool]] = [t.c.res_type == res_type, visible(t)]
    ignored: list[str] = []
    used: list[tuple[str, str]] = []
    control: dict[str, list[str]] = {}
    for raw_name, value in query:
        name, _, modifier = raw_name.partition(":")
        if name in CONTROL:
            control.setdefault(name, []).append(value)
            used.append((raw_name, value))
            continue
        param = known.get(name)
        if param is None:
            if strict:
                raise invalid(f"unknown search parameter '{name}' for {res_type}", name)
            ignored.append(raw_name)
            continue
        conditions.append(_condition(res_type, param, modifier, value))
        used.append((raw_name, value))
    count = _number(control, "_count", DEFAULT_COUNT, 0, MAX_COUNT)
    offset = _number(control, "_offset", 0, 0, 10_000_000)
    where = and_(*conditions)
    summary_count = control.get("_summary", [""])[-1] == "count"
    with store.engine.connect() as conn:
        total = None
        if summary_count or control.get("_total", ["accurate"])[-1] != "none":
            total = conn.execute(select(func.count()).select_from(t).where(where)).scalar_one()
        if summary_count:
            return SearchResult([], [], total, 0, 0, ignored, used)
        order = _order(res_type, control.get("_sort", []), known)
        rows = conn.execute(select(t.c.res_type, t.c.res_id).where(where).order_by(*order)
                            .limit(count).offset(offset)).all()
        matches = store.read_many([(r.res_type, r.res_id) for r in rows], conn)
        included = _includes(store, conn, res_type, matches, control, visible)
    included = [s for s in included if allowed(s)]
    return SearchResult(matches, included, total, offset, count, ignored, used)


def _number(control: dict[str, list[str]], name: str, default: int, low: int, high: int) -> int:
    values = control.get(name)
    if not values:
        return default
    try:
        number = int(values[-1])
    except ValueError:
        raise invalid(f"{name} must be a whole number", name) from None
    if number < low:
        raise invalid(f"{name} must be at least {low}", name)
    return min(number, high)


def _condition(res_type: str, param: SearchParam, modifier: str, value: str
               ) -> ColumnElement[bool]:
    s = fhir_search
    base = [s.c.res_type == res_type, s.c.param == param.name]
    ids = fhir_resources.c.res_id
    if modifier == "missing":
        if value not in ("true", "false"):
            raise invalid(":missing takes true or false", param.name)
        having = select(s.c.res_id).where(*base)
        return ids.not_in(having) if value == "true" else ids.in_(having)
    values = [v for v in value.split(",") if v != ""]
    if not values:
        raise invalid(f"search parameter '{param.name}' has no value", param.name)
    negate = False
    if param.kind == "token" and modifier == "not":
        negate, modifier = True, ""
    alternatives = [_match(param, modifier, v) for v in values]
    matching = select(s.c.res_id).where(*base, or_(*alternatives))
    return ids.not_in(matching) if negate else ids.in_(matching)


def _match(param: SearchParam, modifier: str, value: str) -> ColumnElement[bool]:
    s = fhir_search
    name = param.name
    if param.kind == "token":
        if modifier:
            raise invalid(f"modifier :{modifier} is not supported on token '{name}'", name)
        if "|" in value:
            system, _, code = value.partition("|")
            parts = []
            parts.append(s.c.system == system if system else s.c.system.is_(None))
            if code:
                parts.append(s.c.value == code)
            return and_(*parts)
        return s.c.value == value
    if param.kind == "reference":
        targets = (modifier,) if modifier else param.targets
        if modifier and param.targets and modifier not in param.targets:
            raise invalid(f"'{name}' cannot refer to a {modifier}", name)
        if "/" in value:
            key = value.rstrip("/").split("/")
            return s.c.value == f"{key[-2]}/{key[-1]}"
        if targets:
            return s.c.value.in_([f"{target}/{value}" for target in targets])
        return s.c.value.like(f"%/{_escape(value)}", escape="\\")
    if param.kind == "date":
        if modifier:
            raise invalid(f"modifier :{modifier} is not supported on date '{name}'", name)
        return _date(name, value)
    if modifier not in ("", "exact", "contains"):
        raise invalid(f"modifier :{modifier} is not supported on string '{name}'", name)
    text = normalise(value)
    if modifier == "exact":
        return s.c.value == text
    pattern = f"%{_escape(text)}%" if modifier == "contains" else f"{_escape(text)}%"
    return s.c.value.like(pattern, escape="\\")


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _date(name: str, value: str) -> ColumnElement[bool]:
    s = fhir_search
    prefix = value[:2] if value[:2] in PREFIXES else "eq"
    span = parse_span(value[2:] if value[:2] in PREFIXES else value)
    if span is None:
        raise invalid(f"'{value}' is not a FHIR date, dateTime or instant", name)
    low, high = span
    equal = and_(s.c.low >= low, s.c.high <= high)
    rules: dict[str, ColumnElement[bool]] = {
        "eq": equal, "ne": not_(equal),
        "gt": s.c.high > high, "lt": s.c.low < low,
        "ge": or_(s.c.high > high, equal), "le": or_(s.c.low < low, equal),
        "sa": s.c.low >= high, "eb": s.c.high <= low,
        "ap": and_(s.c.low < high, s.c.high > low),
    }
    return rules[prefix]


def _order(res_type: str, sorts: list[str], known: dict[str, SearchParam]) -> list[Any]:
    t, s = fhir_resources, fhir_search
    order: list[Any] = []
    for spec in ",".join(sorts).split(","):
        if not spec:
            continue
        descending = spec.startswith("-")
        name = spec.lstrip("-")
        if name == "_id":
            column: Any = t.c.res_id
        elif name == "_lastUpdated":
            column = t.c.last_updated
        elif name in known:
            field_ = s.c.low if known[name].kind == "date" else s.c.value
            column = (select(func.max(field_) if descending else func.min(field_))
                      .where(s.c.res_type == res_type, s.c.param == name,
                             s.c.res_id == t.c.res_id).scalar_subquery())
        else:
            raise invalid(f"cannot sort {res_type} by '{name}'", "_sort")
        order.append(column.desc().nulls_last() if descending else column.asc().nulls_last())
    return [*order, t.c.last_updated, t.c.res_id]


def _includes(store: RecordStore, conn: Any, res_type: str, matches: list[Stored],
              control: dict[str, list[str]], visible: Visible) -> list[Stored]:
    if not matches:
        return []
    s, t = fhir_search, fhir_resources
    ids = [m.id for m in matches]
    keys: list[tuple[str, str]] = []
    for spec in control.get("_include", []):
        source, param, target = _include_spec(spec)
        if source != res_type:
            continue
        rows = conn.execute(select(s.c.value).where(
            s.c.res_type == res_type, s.c.param == param, s.c.res_id.in_(ids))).scalars()
        for value in rows:
            kind, _, rid = (value or "").partition("/")
            if rid and (target is None or kind == target):
                keys.append((kind, rid))
    for spec in control.get("_revinclude", []):
        source, param, _ = _include_spec(spec)
        wanted = [f"{res_type}/{i}" for i in ids]
        rows = conn.execute(select(s.c.res_id).where(
            s.c.res_type == source, s.c.param == param, s.c.value.in_(wanted),
            exists(select(t.c.res_id).where(t.c.res_type == source, t.c.res_id == s.c.res_id,
                                            visible(t))) if source else true())).scalars()
        keys.extend((source, rid) for rid in rows)
    seen = {(m.type, m.id) for m in matches}
    unique = []
    for key in keys:
        if key not in seen:
            seen.add(key)
            unique.append(key)
    return store.read_many(unique, conn)


def _include_spec(spec: str) -> tuple[str, str, str | None]:
    parts = spec.split(":")
    if parts[-1] == "iterate":
        parts = parts[:-1]
    if len(parts) not in (2, 3) or parts[1] not in params_for(parts[0]) or (
            params_for(parts[0])[parts[1]].kind != "reference"):
        raise FhirError(400, Issue("invalid", f"'{spec}' is not Type:reference-parameter"
                                   "[:Target] for a supported reference parameter", "_include"))
    return parts[0], parts[1], parts[2] if len(parts) == 3 else None
