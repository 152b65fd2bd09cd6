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


def determined(system: LinearSystem, hidden: Iterable[Key]) -> set[Key]:
    """The hidden cells whose value follows from the published (known, not hidden) cells.

    Cells that share no base cell cannot inform each other, so each connected part of the
    system (e.g. one period of a progress series) is solved on its own.
    """
    hidden = set(hidden)
    published = [k for k, v in system.values.items() if v is not None and k not in hidden]
    targets = [k for k in hidden if k in system.cells and system.values.get(k) is not None]
    out: set[Key] = set()
    for part_published, part_targets in _components(system, published, targets):
        basis, index = _row_space(system, part_published, part_targets)
        for key in part_targets:
            vector = _vector(system.cells[key], index)
            residual = vector - basis.T @ (basis @ vector) if basis.size else vector
            scale = max(1.0, float(np.linalg.norm(vector)))
            if float(np.linalg.norm(residual)) <= _TOLERANCE * scale:
                out.add(key)
    return out


def _components(
    system: LinearSystem, published: list[Key], targets: list[Key]
) -> list[tuple[list[Key], list[Key]]]:
    """(published, targets) of each group of cells linked through shared base cells, for the
    groups that hold a target."""
    parent: dict[Key, Key] = {}

    def find(x: Key) -> Key:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for key in (*published, *targets):
        variables = list(system.cells[key])
        for other in variables[1:]:
            a, b = find(variables[0]), find(other)
            if a != b:
                parent[a] = b
    parts: dict[Key, tuple[list[Key], list[Key]]] = {}
    for key in targets:
        if system.cells[key]:
            parts.setdefault(find(next(iter(system.cells[key]))), ([], []))[1].append(key)
    for key in published:
        if system.cells[key]:
            root = find(next(iter(system.cells[key])))
            if root in parts:
                parts[root][0].append(key)
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
            if target not in determined(system, hidden | {candidate}):
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


def _row_space(
    system: LinearSystem, published: list[Key], targets: list[Key]
) -> tuple[np.ndarray, dict[Key, int]]:
    """An orthonormal basis (rows) of the span of the published cells' combinations."""
    variables = sorted({v for k in (*published, *targets) for v in system.cells[k]}, key=repr)
    index = {v: i for i, v in enumerate(variables)}
    if not published:
        return np.zeros((0, len(variables))), index
    matrix = np.array([_vector(system.cells[k], index) for k in published])
    _u, singular, vt = np.linalg.svd(matrix, full_matrices=False)
    cutoff = _TOLERANCE * max(matrix.shape) * (singular[0] if singular.size else 0.0)
    rank = int(np.sum(singular > cutoff))
    return vt[:rank], index


def _vector(terms: Mapping[Key, float], index: Mapping[Key, int]) -> np.ndarray:
    vector = np.zeros(len(index))
    for key, coefficient in terms.items():
        vector[index[key]] = coefficient
    return vector
