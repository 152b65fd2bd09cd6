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
numeric library the domain allows (tests/unit/test_layering.py); it is imported by the functions
that use it, so a run that publishes nothing does not pay to load it.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

Key = Hashable
"""A cell's identity, e.g. ("practice", "P1", "recorded")."""
Combination = Mapping[Key, float]
"""A cell as base cells and their coefficients, e.g. a PCN total {P1: 1, P2: 1}."""

_TOLERANCE = 1e-9
_MAX_FINE_CANDIDATES = 40
"""Fine cells (e.g. practices) a round considers for one hidden cell, smallest first: a footprint
total has thousands, and each one considered adds a row and a column to the decomposition.
Protection stays complete (rounds go on until nothing hidden is determined); this bounds work."""


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
    import numpy as np

    hidden = set(hidden)
    published = [k for k, v in system.values.items() if v is not None and k not in hidden]
    candidates = hidden if among is None else set(among) & hidden
    targets = [k for k in candidates if k in system.cells and system.values.get(k) is not None]
    known = _known_base_cells(system, published)
    rows = _reduced_rows(system, published, known)
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
        basis, index = _row_space([r for _k, r in part_rows], [t for _k, t in part_targets])
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


def _reduced_rows(
    system: LinearSystem, keys: Iterable[Key], known: set[Key]
) -> list[tuple[Key, Row]]:
    """Each cell's combination over the unknown base cells, for the cells left with any."""
    reduced = ((k, _unknown_part(system.cells[k], known)) for k in keys)
    return [(k, terms) for k, terms in reduced if terms]


def _components(
    rows: list[tuple[Key, Row]], targets: list[tuple[Key, Row]]
) -> list[tuple[list[tuple[Key, Row]], list[tuple[Key, Row]]]]:
    """(rows, targets) of each group linked through shared unknown base cells, for the groups
    that hold a target."""
    parent: dict[Key, Key] = {}

    def find(x: Key) -> Key:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for _key, terms in (*rows, *targets):
        variables = list(terms)
        for other in variables[1:]:
            a, b = find(variables[0]), find(other)
            if a != b:
                parent[a] = b
    parts: dict[Key, tuple[list[tuple[Key, Row]], list[tuple[Key, Row]]]] = {}
    for key, terms in targets:
        parts.setdefault(find(next(iter(terms))), ([], []))[1].append((key, terms))
    for key, terms in rows:
        root = find(next(iter(terms)))
        if root in parts:
            parts[root][0].append((key, terms))
    return list(parts.values())


def protect(
    system: LinearSystem, hidden: Iterable[Key], *, groups: Iterable[Iterable[Key]] = ()
) -> set[Key]:
    """`hidden` plus extra cells, chosen greedily, so that no hidden cell is determined.

    For a determined cell it looks at the published cells of the `groups` (sibling sets, e.g. a
    PCN's practices) and the published cells that share a base cell with it, in order of
    preference — fine cells before totals, non-zero before zero, small before large — and hides
    the first whose suppression alone leaves the cell undetermined. If no one cell does (a place
    whose total follows from the footprint less the other places, each of which follows from its
    PCNs), it hides the most preferred sibling that the cell's derivation uses — another place —
    and looks again, so suppression runs down the hierarchy (the place, one of its PCNs, one of
    that PCN's practices) rather than up to the footprint. All cells found determined are
    handled in one round, from one decomposition. Terminates: each round hides at least one
    more published cell, and with everything hidden nothing is determined.
    """
    hidden = set(hidden)
    neighbours = _Neighbours(system, [tuple(g) for g in groups])
    while True:
        found = sorted(determined(system, hidden), key=repr)  # deterministic order
        if not found:
            return hidden
        candidates = {t: neighbours.candidates(hidden, t) for t in found}
        chosen: set[Key] = set()
        for target, (alone, used) in _protectors(system, hidden, candidates).items():
            if chosen & set(alone):
                continue  # a cell hidden for an earlier target in this round protects it too
            siblings = neighbours.siblings(target)
            choice = alone or [k for k in used if k in siblings] or used or candidates[target]
            if not choice:
                raise ValueError(f"cannot protect {target!r}: nothing left to suppress")
            chosen.add(choice[0])
        hidden |= chosen


def _protectors(
    system: LinearSystem, hidden: set[Key], candidates: Mapping[Key, list[Key]]
) -> dict[Key, tuple[list[Key], list[Key]]]:
    """For each target: (its candidates whose suppression alone leaves it undetermined, in their
    order; the published cells its derivation uses, candidates first, then by preference).

    With the published cells' combinations as the rows of M (base cells substituted out where
    other, non-candidate cells pin them), a target's combination t is a mix t = λ·M. Hiding
    row c leaves t undetermined exactly when c is not a mix of the other rows (every vector of
    M's left null space is 0 at c) and λ_c ≠ 0 — both read off one singular value
    decomposition per connected part, for every target and candidate at once.
    """
    import numpy as np

    every_candidate = {k for keys in candidates.values() for k in keys}
    published = [k for k, v in system.values.items() if v is not None and k not in hidden]
    known = _known_base_cells(system, [k for k in published if k not in every_candidate])
    out: dict[Key, tuple[list[Key], list[Key]]] = {t: ([], []) for t in candidates}
    targets = [(t, terms) for t in candidates
               if (terms := _unknown_part(system.cells[t], known))]
    for rows, part_targets in _components(_reduced_rows(system, published, known), targets):
        index = _index([r for _k, r in rows] + [t for _k, t in part_targets])
        matrix = np.array([_vector(r, index) for _k, r in rows])
        u, singular, vt = np.linalg.svd(matrix, full_matrices=True)
        cutoff = _TOLERANCE * max(matrix.shape) * (singular[0] if singular.size else 0.0)
        rank = int(np.sum(singular > cutoff))
        keys = [k for k, _r in rows]
        redundant = np.linalg.norm(u[:, rank:], axis=1) > _TOLERANCE * max(matrix.shape)
        for target, terms in part_targets:
            weights = u[:, :rank] @ ((vt[:rank] @ _vector(terms, index)) / singular[:rank])
            scale = max(1.0, float(np.abs(weights).max(initial=0.0)))
            uses = np.abs(weights) > _TOLERANCE * scale
            used_keys = {k for k, used in zip(keys, uses, strict=True) if used}
            essential = {k for k, used, extra in zip(keys, uses, redundant, strict=True)
                         if used and not extra}
            mine = candidates[target]
            ordered = [k for k in mine if k in used_keys] + sorted(
                used_keys - set(mine), key=lambda k: _preference(system, k))
            out[target] = ([k for k in mine if k in essential], ordered)
    return out


class _Neighbours:
    """Which published cells could protect a cell: its sibling groups' members and the cells
    that share a base cell with it (indexed once, as a system has thousands of cells)."""

    def __init__(self, system: LinearSystem, groups: list[tuple[Key, ...]]) -> None:
        self.system = system
        self.groups = groups
        self.cells_of: dict[Key, list[Key]] = {}
        for key, terms in system.cells.items():
            for variable in terms:
                self.cells_of.setdefault(variable, []).append(key)
        self.groups_of: dict[Key, list[int]] = {}
        for i, group in enumerate(groups):
            for key in group:
                self.groups_of.setdefault(key, []).append(i)

    def siblings(self, target: Key) -> set[Key]:
        return {k for i in self.groups_of.get(target, []) for k in self.groups[i]}

    def candidates(self, hidden: set[Key], target: Key) -> list[Key]:
        overlapping = {k for v in self.system.cells[target] for k in self.cells_of[v]}
        pool = set(overlapping)
        for key in (target, *overlapping):
            for i in self.groups_of.get(key, []):
                pool.update(self.groups[i])
        known = sorted((k for k in pool if k not in hidden and k != target
                        and self.system.values.get(k) is not None),
                       key=lambda k: _preference(self.system, k))
        fine = [k for k in known if k in self.system.fine][:_MAX_FINE_CANDIDATES]
        return fine + [k for k in known if k not in self.system.fine]


def _preference(system: LinearSystem, key: Key) -> tuple[bool, bool, float, str]:
    """Fine cells before totals, non-zero before zero, small before large."""
    value = system.values[key] or 0.0
    return (key not in system.fine, value == 0, float(value), repr(key))


def _row_space(rows: list[Row], targets: list[Row]) -> tuple[np.ndarray, dict[Key, int]]:
    """An orthonormal basis (rows) of the span of the published rows."""
    import numpy as np

    index = _index([*rows, *targets])
    if not rows:
        return np.zeros((0, len(index))), index
    matrix = np.array([_vector(terms, index) for terms in rows])
    _u, singular, vt = np.linalg.svd(matrix, full_matrices=False)
    cutoff = _TOLERANCE * max(matrix.shape) * (singular[0] if singular.size else 0.0)
    rank = int(np.sum(singular > cutoff))
    return vt[:rank], index


def _index(rows: Iterable[Row]) -> dict[Key, int]:
    """A column for each base cell the rows use, in a fixed order."""
    variables = sorted({v for terms in rows for v in terms}, key=repr)
    return {v: i for i, v in enumerate(variables)}


def _vector(terms: Mapping[Key, float], index: Mapping[Key, int]) -> np.ndarray:
    import numpy as np

    vector = np.zeros(len(index))
    for key, coefficient in terms.items():
        vector[index[key]] = coefficient
    return vector
