"""Statistical disclosure control for outputs shared beyond authorised analysts.

Why: DESIGN.md's privacy rules. Anything published, or shown to a wider audience, must not let a
reader learn about a handful of identifiable people. National publications suppress small counts
and round the rest; we do the same, and we stop a suppressed cell being recovered by subtraction
from its table's total and the cells beside it. Working outputs for authorised analysts stay
exact and say so (`WORKING_NOTE`). docs/disclosure.md has the worked examples.

The rules, with the default `PublicationPolicy()`:

1. **Primary suppression**: a count from 1 to 7 (`threshold`) is suppressed (published as
   empty). Zero is published: knowing that nobody has a condition identifies nobody.
2. **Rounding**: every other count is rounded to the nearest 5 (`rounding_base`), halves up.
   Totals are rounded on their own, so rounded cells need not add up to a rounded total.
3. **Secondary suppression**: within each group of sibling cells (rows sharing the grouping keys;
   total rows excluded), a column never has exactly one suppressed cell, because the group's total
   (in the table or published elsewhere, e.g. a roll-up) minus its siblings would give it back.
   If exactly one is suppressed, the unsuppressed sibling with the smallest true value is
   suppressed too (ties: the earlier row). Several groupings (a two-way table's rows and
   columns) are applied in turn until nothing changes.
4. **Derived values**: a rate (or any column computed from counts, such as a gap) is suppressed
   when any count it comes from is suppressed, and a published rate is recomputed from the
   *published* (rounded) counts, so it cannot reveal an exact count either.

Rows are plain dicts, so the same functions serve practice tables, roll-ups and breakdowns.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from joinedup.domain.errors import UserError

WORKING_NOTE = "working output, not for publication"
"""The metadata note on exact outputs meant only for authorised analysts."""

Row = Mapping[str, object]
Cell = tuple[int, str]
"""(row index, column name) of one cell in a table."""


class DisclosureError(UserError):
    """A table that cannot be checked: a count that is not a whole number, a missing column."""


@dataclass(frozen=True)
class PublicationPolicy:
    """How published counts are protected: suppress 1..threshold, round the rest to base."""

    threshold: int = 7
    rounding_base: int = 5

    def __post_init__(self) -> None:
        for name in ("threshold", "rounding_base"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise DisclosureError(f"{name} must be a whole number, got {value!r}")
        if self.threshold < 0:
            raise DisclosureError(f"threshold must be 0 or more, got {self.threshold}")
        if self.rounding_base < 1:
            raise DisclosureError(f"rounding_base must be 1 or more, got {self.rounding_base}")

    @property
    def note(self) -> str:
        """The metadata note for outputs published under this policy."""
        suppressed = (
            "no small counts suppressed"
            if self.threshold == 0
            else f"counts 1–{self.threshold} suppressed"
        )
        rounded = (
            "others exact" if self.rounding_base == 1 else f"others rounded to {self.rounding_base}"
        )
        return f"published: {suppressed}, {rounded}"


def output_note(policy: PublicationPolicy | None) -> str:
    """The note an output's metadata carries: the policy's, or `WORKING_NOTE` when exact."""
    return WORKING_NOTE if policy is None else policy.note


def is_small(value: int, policy: PublicationPolicy) -> bool:
    """True for a count primary suppression hides (1 to threshold)."""
    return 1 <= value <= policy.threshold


def round_count(value: int, policy: PublicationPolicy) -> int:
    """`value` to the nearest multiple of the rounding base, halves up (12 -> 10, 13 -> 15)."""
    base = policy.rounding_base
    return base * math.floor(value / base + 0.5)


def apply_sdc(value: int | None, policy: PublicationPolicy) -> int | None:
    """One count as published: None when unknown or suppressed, else rounded.

    This is the cell-level rule only; tables also need secondary suppression (`publish_rows`).
    """
    if value is None or is_small(value, policy):
        return None
    return round_count(value, policy)


def published_rate(numerator: float | None, denominator: float | None) -> float | None:
    """A rate from published values: None when either is suppressed or the denominator is 0."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


@dataclass(frozen=True)
class PublishedTable:
    """A table after disclosure control.

    `rows` are new dicts, suppressed cells set to None; `suppressed` names every cell that was
    hidden (primary, secondary or derived) so an output can print a marker such as "[c]" instead
    of a blank; `note` goes into the output's metadata.
    """

    rows: list[dict[str, object]]
    suppressed: frozenset[Cell]
    policy: PublicationPolicy

    @property
    def note(self) -> str:
        return self.policy.note


def publish_rows(
    rows: Sequence[Row],
    counts: Sequence[str],
    *,
    policy: PublicationPolicy | None = None,
    groupings: Sequence[Sequence[str]] = ((),),
    is_total: Callable[[Row], bool] | None = None,
    rates: Mapping[str, tuple[str, str]] | None = None,
    derived: Mapping[str, Sequence[str]] | None = None,
) -> PublishedTable:
    """Apply primary and secondary suppression, rounding and rate suppression to a table.

    - `counts`: the columns holding counts of people (whole numbers or None for unknown).
    - `groupings`: each is a tuple of key columns; rows with equal keys are siblings whose sum
      may be known. The default `((),)` makes the whole table one group (a practice table whose
      footprint total is published in the summary). A breakdown by dimension uses
      `(("dimension",),)`; a two-way table gives both ways.
    - `is_total`: marks total (margin) rows. They are suppressed and rounded like any cell but are
      not siblings of the rows they total.
    - `rates`: rate column -> (numerator column, denominator column). Either may be a count
      column or another column (e.g. a modelled `expected`), used as given.
    - `derived`: column -> the count columns it is computed from (e.g. `to_treat` from `treated`
      and `eligible`). Suppressed when any source is; if it is itself a count it is also rounded.
    """
    policy = policy or PublicationPolicy()
    rates = dict(rates or {})
    derived = {k: tuple(v) for k, v in (derived or {}).items()}
    count_columns = tuple(counts)
    values = _read_counts(rows, count_columns)
    totals = [bool(is_total and is_total(row)) for row in rows]

    hidden: set[Cell] = {
        (i, c) for (i, c), v in values.items() if v is not None and is_small(v, policy)
    }
    groups = [_groups(rows, keys, totals) for keys in groupings]
    changed = True
    while changed:
        before = len(hidden)
        _spread_to_derived(hidden, len(rows), derived)
        for members_by_key in groups:
            for members in members_by_key:
                for column in count_columns:
                    _protect_group(members, column, values, hidden)
        changed = len(hidden) != before

    out: list[dict[str, object]] = []
    for i, row in enumerate(rows):
        published = dict(row)
        for column in count_columns:
            value = values[(i, column)]
            if value is None or (i, column) in hidden:
                published[column] = None
            else:
                published[column] = round_count(value, policy)
        for column in derived:
            if column not in count_columns and (i, column) in hidden:
                published[column] = None
        for column, (num, den) in rates.items():
            if {(i, num), (i, den)} & hidden:
                hidden.add((i, column))
                published[column] = None
            else:
                published[column] = published_rate(
                    _number(published.get(num), i, num), _number(published.get(den), i, den)
                )
        out.append(published)
    return PublishedTable(rows=out, suppressed=frozenset(hidden), policy=policy)


# --- helpers ------------------------------------------------------------------------------


def _read_counts(rows: Sequence[Row], columns: Sequence[str]) -> dict[Cell, int | None]:
    """Every count cell as an int (or None), refusing anything that is not a whole number."""
    values: dict[Cell, int | None] = {}
    for i, row in enumerate(rows):
        for column in columns:
            if column not in row:
                raise DisclosureError(f"row {i + 1}: no column {column!r}")
            raw = row[column]
            values[(i, column)] = _whole(raw, i, column)
    return values


def _whole(raw: object, index: int, column: str) -> int | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise DisclosureError(f"row {index + 1}, column {column!r}: {raw!r} is not a count")
    if isinstance(raw, float):
        if math.isnan(raw):
            return None
        if not raw.is_integer():
            raise DisclosureError(
                f"row {index + 1}, column {column!r}: {raw!r} is not a whole number of people"
            )
    value = int(raw)
    if value < 0:
        raise DisclosureError(f"row {index + 1}, column {column!r}: {value} is negative")
    return value


def _number(raw: object, index: int, column: str) -> float | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise DisclosureError(f"row {index + 1}, column {column!r}: {raw!r} is not a number")
    return None if isinstance(raw, float) and math.isnan(raw) else float(raw)


def _groups(rows: Sequence[Row], keys: Sequence[str], totals: Sequence[bool]) -> list[list[int]]:
    """Row indices of each sibling group (total rows left out), in first-seen order."""
    groups: dict[tuple[object, ...], list[int]] = {}
    for i, row in enumerate(rows):
        if totals[i]:
            continue
        missing = [k for k in keys if k not in row]
        if missing:
            raise DisclosureError(f"row {i + 1}: no grouping column {missing[0]!r}")
        groups.setdefault(tuple(row[k] for k in keys), []).append(i)
    return list(groups.values())


def _protect_group(
    members: Sequence[int],
    column: str,
    values: Mapping[Cell, int | None],
    hidden: set[Cell],
) -> None:
    """If exactly one sibling is hidden, hide the smallest published one as well."""
    if len(members) < 2:
        return
    if sum((i, column) in hidden for i in members) != 1:
        return
    candidates = [
        (value, position, i)
        for position, i in enumerate(members)
        if (i, column) not in hidden and (value := values[(i, column)]) is not None
    ]
    if candidates:
        _, _, chosen = min(candidates)
        hidden.add((chosen, column))


def _spread_to_derived(
    hidden: set[Cell], row_count: int, derived: Mapping[str, Sequence[str]]
) -> None:
    for i in range(row_count):
        for column, sources in derived.items():
            if any((i, s) in hidden for s in sources):
                hidden.add((i, column))
