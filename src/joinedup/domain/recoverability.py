"""Can a suppressed cell be worked out from what is published? Linear algebra says.

Why: a rule such as "no group has exactly one suppressed cell" protects one table at a time.
Published tables cross — practices sum to PCNs, places, waves and deprivation quintiles at once,
and a footprint total sits in the summary — and two suppression patterns that each look safe can
together pin a cell down: with practice × age band, two cycles of suppressed cells joined by one
shared cell leave that cell fixed by the margins. The only general test is the algebraic one.

Every published or suppressed cell is a known linear combination of *base* cells (the finest
cells of the system, e.g. each practice's count): a practice cell is itself, a PCN total is the
sum of its practices, and so on. A reader who sees the published values knows
`a_c · x = v_c` for every published cell c. A suppressed cell h is **determined** exactly when its
combination `a_h` lies in the span of the published combinations: then `v_h` follows from the
published values whatever the base cells are. `protect` adds suppression until no suppressed cell
is determined, preferring to hide small, non-zero, fine-grained cells.

This treats published values as exact. Rounding (to 5) only widens what a reader can infer to
intervals, so a system safe under exact values is safe under rounded ones too. numpy is the one
numeric library the domain allows (tests/unit/test_layering.py).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

Key = Hashable
"""A cell's identity, e.g. ("practice", "P1", "recorded")."""
Combination = Mapping[Key, float]
"""A cell as base cells and their coefficients, e.g. a PCN total {P1: 1, P2: 1}."""

_TOLERANCE = 1e-9


@dataclass
class LinearSystem:
    """Cells that are linear combinations of base cells, with their values (None: unknown)."""

    cells: dict[Key, dict[Key, float]] = field(default_factory=dict)
    values: dict[Key, float | None] = field(default_factory=dict)
    fine: set[Key] = field(default_factory=set)
    """Cells that are base cells themselves (preferred when suppression must be added)."""

    def add(self, key: Key, combination: Combination, value: float | None) -> None:
        """Add a cell; the same key twice must mean the same combination and value."""
        terms = {k: float(v) for k, v in combination.items() if v}
        if key in self.cells:
            if self.cells[key] != terms or self.values[key] != value:
                raise ValueError(f"cell {key!r} added twice with different meanings")
            return
        self.cells[key] = terms
        self.values[key] = value
        if list(terms) == [key] and terms[key] == 1.0:
            self.fine.add(key)

    def add_base(self, key: Key, value: float | None) -> None:
        self.add(key, {key: 1.0}, value)


def determined(
    system: LinearSystem, hidden: Iterable[Key], *, among: Iterable[Key] | None = None
) -> set[Key]:
    """The hidden cells (of `among`, default all) whose value follows from the published ones.

    Published cells that pin a single base cell (a practice's own count, or a total whose other
    members are all known) are substituted out first, so the linear algebra runs only over the
    base cells a reader cannot see — few, even when the system has thousands of cells. Cells that
    share no unknown base cell cannot inform each other, so each connected part is solved alone.
    """
    hidden = set(hidden)
    published = [k for k, v in system.values.items() if v is not None and k not in hidden]
    candidates = hidden if among is None else set(among) & hidden
    targets = [k for k in candidates if k in system.cells and system.values.get(k) is not None]
    known = _known_base_cells(system, published)
    rows = [r for r in (_unknown_part(system.cells[k], known) for k in published) if r]
    out: set[Key] = set()
    reduced_targets: list[dict[Key, float]] = []
    target_keys: list[Key] = []
    for key in targets:
        terms = _unknown_part(system.cells[key], known)
        if terms:
            reduced_targets.append(terms)
            target_keys.append(key)
        else:
            out.add(key)  # every base cell it sums is known
    pairs = list(zip(target_keys, reduced_targets, strict=True))
    for part_rows, part_targets in _components(rows, pairs):
        basis, index = _row_space(part_rows, [t for _k, t in part_targets])
        for key, terms in part_targets:
            vector = _vector(terms, index)
            residual = vector - basis.T @ (basis @ vector) if basis.size else vector
            scale = max(1.0, float(np.linalg.norm(vector)))
            if float(np.linalg.norm(residual)) <= _TOLERANCE * scale:
                out.add(key)
    return out


def _known_base_cells(system: LinearSystem, published: list[Key]) -> set[Key]:
    """Base cells a reader can work out one at a time: a published cell whose every base cell
    but one is known gives that one (repeated until nothing new follows)."""
    unknown = {k: set(system.cells[k]) for k in published if system.cells[k]}
    cells_of: dict[Key, list[Key]] = {}
    for key, variables in unknown.items():
        for variable in variables:
            cells_of.setdefault(variable, []).append(key)
    known: set[Key] = set()
    queue = [k for k, variables in unknown.items() if len(variables) == 1]
    while queue:
        key = queue.pop()
        if len(unknown[key]) != 1:
            continue
        (variable,) = unknown[key]
        if variable in known:
            continue
        known.add(variable)
        for other in cells_of[variable]:
            unknown[other].discard(variable)
            if len(unknown[other]) == 1:
                queue.append(other)
    return known


def _unknown_part(terms: Mapping[Key, float], known: set[Key]) -> dict[Key, float]:
    return {k: v for k, v in terms.items() if k not in known}


Row = dict[Key, float]


def _components(
    rows: list[Row], targets: list[tuple[Key, Row]]
) -> list[tuple[list[Row], list[tuple[Key, Row]]]]:
    """(rows, targets) of each group linked through shared unknown base cells, for the groups
    that hold a target."""
    parent: dict[Key, Key] = {}

    def find(x: Key) -> Key:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for terms in (*rows, *(t for _k, t in targets)):
        variables = list(terms)
        for other in variables[1:]:
            a, b = find(variables[0]), find(other)
            if a != b:
                parent[a] = b
    parts: dict[Key, tuple[list[Row], list[tuple[Key, Row]]]] = {}
    for key, terms in targets:
        parts.setdefault(find(next(iter(terms))), ([], []))[1].append((key, terms))
    for terms in rows:
        root = find(next(iter(terms)))
        if root in parts:
            parts[root][0].append(terms)
    return list(parts.values())


def protect(
    system: LinearSystem, hidden: Iterable[Key], *, groups: Iterable[Iterable[Key]] = ()
) -> set[Key]:
    """`hidden` plus the fewest extra cells (greedily) so that no hidden cell is determined.

    For a determined cell it tries, in order, the published cells of the `groups` (sibling sets,
    e.g. a PCN's practices) that share a base cell with it, smallest non-zero value first and fine
    cells before totals, keeping the first whose suppression leaves the cell undetermined; if
    none does alone, it hides them all and looks again. Terminates: each step hides one more
    published cell, and with everything hidden nothing is determined.
    """
    hidden = set(hidden)
    sibling_sets = [tuple(g) for g in groups]
    while True:
        found = determined(system, hidden)
        if not found:
            return hidden
        target = min(found, key=repr)  # deterministic order
        candidates = _candidates(system, hidden, target, sibling_sets)
        for candidate in candidates:
            if not determined(system, hidden | {candidate}, among={target}):
                hidden.add(candidate)
                break
        else:
            if not candidates:  # only totals with no published member left: hide the whole lot
                candidates = _published_overlapping(system, hidden, target)
                if not candidates:
                    raise ValueError(f"cannot protect {target!r}: nothing left to suppress")
            hidden.update(candidates)


def _candidates(
    system: LinearSystem, hidden: set[Key], target: Key, groups: list[tuple[Key, ...]]
) -> list[Key]:
    support = set(system.cells[target])
    pool: set[Key] = set()
    for group in groups:
        if target in group or any(set(system.cells.get(k, {})) & support for k in group):
            pool.update(k for k in group if k not in hidden)
    pool.update(_published_overlapping(system, hidden, target))
    known = [k for k in pool if system.values.get(k) is not None and k != target]
    return sorted(known, key=lambda k: _preference(system, k))


def _preference(system: LinearSystem, key: Key) -> tuple[bool, bool, float, str]:
    """Fine cells before totals, non-zero before zero, small before large."""
    value = system.values[key] or 0.0
    return (key not in system.fine, value == 0, float(value), repr(key))


def _published_overlapping(system: LinearSystem, hidden: set[Key], target: Key) -> list[Key]:
    support = set(system.cells[target])
    return [
        k for k, terms in system.cells.items()
        if k not in hidden and k != target and system.values.get(k) is not None
        and support & set(terms)
    ]


def _row_space(rows: list[Row], targets: list[Row]) -> tuple[np.ndarray, dict[Key, int]]:
    """An orthonormal basis (rows) of the span of the published rows."""
    variables = sorted({v for terms in (*rows, *targets) for v in terms}, key=repr)
    index = {v: i for i, v in enumerate(variables)}
    if not rows:
        return np.zeros((0, len(variables))), index
    matrix = np.array([_vector(terms, index) for terms in rows])
    _u, singular, vt = np.linalg.svd(matrix, full_matrices=False)
    cutoff = _TOLERANCE * max(matrix.shape) * (singular[0] if singular.size else 0.0)
    rank = int(np.sum(singular > cutoff))
    return vt[:rank], index


def _vector(terms: Mapping[Key, float], index: Mapping[Key, int]) -> np.ndarray:
    vector = np.zeros(len(index))
    for key, coefficient in terms.items():
        vector[index[key]] = coefficient
    return vector
