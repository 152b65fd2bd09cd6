"""The footprint: the organisations of an ICS and how they nest.

Why here: every count the product reports rolls up from practices to wider areas, and every
wider area is reached through this one tree. Keeping the tree and its rules in the pure core
means the loader, the QOF readers and the synthetic generator all agree on what a well-formed
footprint is.

Roll-up order, used across the product::

    practice -> pcn -> sub_icb -> place -> ics

* A **place** is a borough or district partnership (e.g. Bradford District and Craven).
* A **sub-ICB** (sub-ICB location) is a former clinical commissioning group (CCG).
* Where a footprint's sub-ICBs and places coincide one to one, each sub_icb sits under its one
  place, so the chain stays a single line and a practice has exactly one ancestor of each type.
* Some footprints skip a level: a PCN may hang straight off a place, and a sub-ICB straight off
  the ICS. Queries such as ``ancestor_of_type`` then answer ``None`` for the missing level.
* Trusts, community teams and local authorities are partners of the ICS, not part of the
  practice chain; they sit under the ICS or stand alone.

Validity: ``valid_from`` and ``valid_to`` are both inclusive (a QOF year runs 1 April to
31 March); ``None`` means open-ended on that side.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from joinedup.domain.contract import ORG_TYPES
from joinedup.domain.errors import UserError

ROLLUP_ORDER: tuple[str, ...] = ("practice", "pcn", "sub_icb", "place", "ics")

# Which parent types each org type may have. None in a set means "may have no parent".
ALLOWED_PARENT_TYPES: dict[str, frozenset[str | None]] = {
    "practice": frozenset({"pcn"}),
    "pcn": frozenset({"sub_icb", "place"}),
    "sub_icb": frozenset({"place", "ics"}),
    "place": frozenset({"ics"}),
    "ics": frozenset({None}),
    "trust": frozenset({"ics", None}),
    "community_team": frozenset({"ics", None}),
    "local_authority": frozenset({"ics", None}),
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one organisation, named by its code and the field at fault."""

    org_code: str
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.org_code or '<blank>'}: {self.field}: {self.reason}"


class FootprintError(UserError):
    """The organisations do not form a valid footprint; ``problems`` lists every reason."""

    def __init__(self, problems: Iterable[Problem], context: str = "footprint") -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{context} has {len(self.problems)} problem(s):\n{lines}")


@dataclass(frozen=True)
class Organisation:
    """One row of the contract's organisations table."""

    org_code: str
    name: str
    org_type: str
    parent_code: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None

    def is_valid_at(self, on: date) -> bool:
        """True when ``on`` falls inside the (inclusive) validity period."""
        if self.valid_from is not None and on < self.valid_from:
            return False
        return not (self.valid_to is not None and on > self.valid_to)


# --- reading loosely typed rows (dicts from CSV, Parquet or pandas) -------------------------


def _is_blank(value: object) -> bool:
    """None, empty text and the dataframe 'missing' markers (NaN, NaT, NA) all mean absent."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, float) and math.isnan(value):
        return True
    # pandas' NaT and NA, recognised by name so the domain needs no pandas import.
    return type(value).__name__ in {"NaTType", "NAType"}


def _text(value: object) -> str | None:
    return None if _is_blank(value) else str(value).strip()


def _to_date(value: object) -> date | None:
    """A date, datetime or ISO ``YYYY-MM-DD`` text; raises ValueError otherwise."""
    if _is_blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        # Accept an ISO timestamp by keeping its date part ("2020-04-01T00:00:00").
        return date.fromisoformat(text[:10] if len(text) > 10 else text)
    raise ValueError(f"expected a date, got {type(value).__name__}")


@dataclass(frozen=True)
class _Row:
    org_code: str
    org_type: str | None
    parent_code: str | None


def hierarchy_problems(rows: Iterable[Mapping[str, object]]) -> list[Problem]:
    """Every reason the rows do not form a valid footprint; an empty list means they do.

    Rows carry the contract's organisations columns; dates may be ``date`` objects, ISO text or
    None. Checks: blank or duplicate codes, unknown org types, unreadable dates, valid_to before
    valid_from, unknown parents, parents of the wrong type (``ALLOWED_PARENT_TYPES``; a practice,
    PCN, sub-ICB or place must have a parent, an ICS must not) and cycles (every member of a
    cycle is reported). Problems come in row order, one per fault.
    """
    problems: list[Problem] = []
    parsed: list[_Row] = []
    seen: set[str] = set()

    for row in rows:
        code = _text(row.get("org_code")) or ""
        if not code:
            problems.append(Problem("", "org_code", "org_code is blank"))
        elif code in seen:
            problems.append(Problem(code, "org_code", "org_code appears more than once"))
        seen.add(code)

        org_type = _text(row.get("org_type"))
        if org_type not in ORG_TYPES:
            shown = "blank" if org_type is None else repr(org_type)
            problems.append(
                Problem(code, "org_type", f"org_type is {shown}; expected one of {ORG_TYPES}")
            )
            org_type = None

        dates: dict[str, date | None] = {}
        for field_name in ("valid_from", "valid_to"):
            try:
                dates[field_name] = _to_date(row.get(field_name))
            except ValueError:
                dates[field_name] = None
                problems.append(
                    Problem(code, field_name, f"{field_name} is not a date (YYYY-MM-DD)")
                )
        start, end = dates["valid_from"], dates["valid_to"]
        if start is not None and end is not None and end < start:
            problems.append(
                Problem(code, "valid_to", f"valid_to {end} is before valid_from {start}")
            )

        parsed.append(_Row(code, org_type, _text(row.get("parent_code"))))

    # First row wins for duplicates, as the duplicate is already reported.
    by_code: dict[str, _Row] = {}
    for r in parsed:
        if r.org_code:
            by_code.setdefault(r.org_code, r)

    for r in parsed:
        problems.extend(_parent_problems(r, by_code))
    problems.extend(_cycle_problems(by_code))
    return problems


def _a(word: str) -> str:
    """'a pcn', 'an ics': the article a reader expects before an org type."""
    return f"an {word}" if word[:1] in "aeiou" else f"a {word}"


def _parent_problems(r: _Row, by_code: Mapping[str, _Row]) -> list[Problem]:
    if r.parent_code is not None and r.parent_code not in by_code:
        return [Problem(r.org_code, "parent_code", f"parent {r.parent_code!r} is not listed")]
    if r.org_type is None:
        return []  # already reported; we cannot say which parents it may have
    allowed = ALLOWED_PARENT_TYPES[r.org_type]
    if r.parent_code is None:
        if None in allowed:
            return []
        wanted = " or ".join(sorted(t for t in allowed if t is not None))
        return [Problem(r.org_code, "parent_code", f"{_a(r.org_type)} needs {_a(wanted)} parent")]
    parent_type = by_code[r.parent_code].org_type
    if parent_type is None or parent_type in allowed:
        return []
    if allowed == frozenset({None}):
        return [Problem(r.org_code, "parent_code", f"an {r.org_type} must have no parent")]
    wanted = " or ".join(sorted(t for t in allowed if t is not None))
    return [
        Problem(
            r.org_code,
            "parent_code",
            f"parent {r.parent_code!r} is {_a(parent_type)}; {_a(r.org_type)} needs {_a(wanted)}",
        )
    ]


def _cycle_problems(by_code: Mapping[str, _Row]) -> list[Problem]:
    """Walk up from every organisation; report each code that lies on a cycle, once."""
    on_cycle: dict[str, list[str]] = {}
    settled: set[str] = set()
    for start in by_code:
        path: list[str] = []
        index: dict[str, int] = {}
        code: str | None = start
        while code is not None and code in by_code and code not in settled:
            if code in index:
                cycle = path[index[code] :]
                for member in cycle:
                    on_cycle[member] = cycle
                break
            index[code] = len(path)
            path.append(code)
            code = by_code[code].parent_code
        settled.update(path)
    problems = []
    for code in by_code:
        if code in on_cycle:
            cycle = on_cycle[code]
            at = cycle.index(code)
            loop = " -> ".join([*cycle[at:], *cycle[:at], code])
            problems.append(Problem(code, "parent_code", f"parent chain loops back: {loop}"))
    return problems


# --- the footprint --------------------------------------------------------------------------


def organisation_from_row(row: Mapping[str, object]) -> Organisation:
    """Build one Organisation from a loosely typed row; raises ValueError on unreadable dates."""
    return Organisation(
        org_code=_text(row.get("org_code")) or "",
        name=_text(row.get("name")) or "",
        org_type=_text(row.get("org_type")) or "",
        parent_code=_text(row.get("parent_code")),
        valid_from=_to_date(row.get("valid_from")),
        valid_to=_to_date(row.get("valid_to")),
    )


def organisation_to_row(org: Organisation) -> dict[str, object]:
    """The contract's organisations columns, in contract order."""
    return {
        "org_code": org.org_code,
        "name": org.name,
        "org_type": org.org_type,
        "parent_code": org.parent_code,
        "valid_from": org.valid_from,
        "valid_to": org.valid_to,
    }


class Footprint:
    """The organisations of one footprint, queried as a tree.

    Building a Footprint does not check it; call ``validate()`` (or use ``from_rows``, which
    does) before relying on the answers. Queries on an unknown code raise KeyError.
    """

    def __init__(self, organisations: Iterable[Organisation]) -> None:
        self._orgs: dict[str, Organisation] = {}
        self._all: tuple[Organisation, ...] = tuple(organisations)
        self._children: dict[str, list[Organisation]] = {}
        self._rollups: dict[str, dict[str, str | None]] = {}
        for org in self._all:
            self._orgs.setdefault(org.org_code, org)
        for org in self._orgs.values():
            if org.parent_code is not None:
                self._children.setdefault(org.parent_code, []).append(org)

    @classmethod
    def from_rows(
        cls, rows: Iterable[Mapping[str, object]], context: str = "footprint"
    ) -> Footprint:
        """Check the rows with ``hierarchy_problems`` and build the footprint, or raise."""
        materialised = list(rows)
        problems = hierarchy_problems(materialised)
        if problems:
            raise FootprintError(problems, context)
        return cls(organisation_from_row(r) for r in materialised)

    # -- collection protocol --
    def __len__(self) -> int:
        return len(self._orgs)

    def __iter__(self) -> Iterator[Organisation]:
        return iter(self._orgs.values())

    def __contains__(self, code: object) -> bool:
        return code in self._orgs

    def __getitem__(self, code: str) -> Organisation:
        try:
            return self._orgs[code]
        except KeyError:
            raise KeyError(f"no organisation {code!r} in this footprint") from None

    # -- checks --
    def problems(self) -> list[Problem]:
        return hierarchy_problems(organisation_to_row(o) for o in self._all)

    def validate(self) -> None:
        """Raise FootprintError listing every problem, or return quietly."""
        problems = self.problems()
        if problems:
            raise FootprintError(problems)

    # -- tree queries --
    def parent(self, code: str) -> Organisation | None:
        org = self[code]
        return None if org.parent_code is None else self._orgs.get(org.parent_code)

    def children(self, code: str) -> tuple[Organisation, ...]:
        self[code]
        return tuple(self._children.get(code, ()))

    def ancestors(self, code: str) -> tuple[Organisation, ...]:
        """Parent first, then grandparent, up to the root. Raises FootprintError on a cycle."""
        out: list[Organisation] = []
        seen = {code}
        current = self.parent(code)
        while current is not None:
            if current.org_code in seen:
                raise FootprintError(
                    [Problem(code, "parent_code", "parent chain loops back on itself")]
                )
            seen.add(current.org_code)
            out.append(current)
            current = self.parent(current.org_code)
        return tuple(out)

    def ancestor_of_type(self, code: str, org_type: str) -> Organisation | None:
        """The nearest ancestor of ``org_type`` (e.g. a practice's place), or None if absent."""
        if org_type not in ORG_TYPES:
            raise ValueError(f"unknown org_type {org_type!r}; expected one of {ORG_TYPES}")
        return next((a for a in self.ancestors(code) if a.org_type == org_type), None)

    def descendants(self, code: str) -> tuple[Organisation, ...]:
        """Every organisation below ``code``, depth first, each once."""
        out: list[Organisation] = []
        seen = {code}
        stack = list(reversed(self.children(code)))
        while stack:
            org = stack.pop()
            if org.org_code in seen:
                continue
            seen.add(org.org_code)
            out.append(org)
            stack.extend(reversed(self._children.get(org.org_code, ())))
        return tuple(out)

    def practices_under(self, code: str) -> tuple[Organisation, ...]:
        """All practices below ``code``; a practice's answer is itself, so roll-ups are uniform."""
        org = self[code]
        if org.org_type == "practice":
            return (org,)
        return tuple(o for o in self.descendants(code) if o.org_type == "practice")

    def of_type(self, org_type: str) -> tuple[Organisation, ...]:
        return tuple(o for o in self if o.org_type == org_type)

    def valid_at(self, on: date) -> tuple[Organisation, ...]:
        """The organisations whose validity period includes ``on``."""
        return tuple(o for o in self if o.is_valid_at(on))

    def rollup(self, practice_code: str) -> dict[str, str | None]:
        """A practice's code at each roll-up level: keys ``practice``, ``pcn`` ... ``ics``.

        Worked out once per practice (a footprint does not change once built): a series of
        period ends asks for every practice's roll-up at every period end."""
        known = self._rollups.get(practice_code)
        if known is None:
            known = {level: None for level in ROLLUP_ORDER}
            known["practice"] = self[practice_code].org_code
            for a in self.ancestors(practice_code):
                if a.org_type in known and known[a.org_type] is None:
                    known[a.org_type] = a.org_code
            self._rollups[practice_code] = known
        return dict(known)
