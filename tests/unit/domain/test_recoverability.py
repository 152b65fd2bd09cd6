"""No suppressed cell can be worked out from what is published: crossed tables, linear algebra."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from joinedup.domain.recoverability import LinearSystem, determined, protect


def crossed(table: list[list[int]]) -> tuple[LinearSystem, list[list[tuple]]]:
    """An r × c table of counts with both margins and the grand total published beside it."""
    system = LinearSystem()
    rows, cols = len(table), len(table[0])
    for i, j in itertools.product(range(rows), range(cols)):
        system.add_base(("cell", i, j), table[i][j])
    groups = []
    for i in range(rows):
        members = [("cell", i, j) for j in range(cols)]
        system.add(("row", i), dict.fromkeys(members, 1.0), sum(table[i]))
        groups.append([*members, ("row", i)])
    for j in range(cols):
        members = [("cell", i, j) for i in range(rows)]
        system.add(("col", j), dict.fromkeys(members, 1.0), sum(r[j] for r in table))
        groups.append([*members, ("col", j)])
    system.add(("all",), {("cell", i, j): 1.0 for i in range(rows) for j in range(cols)},
               sum(map(sum, table)))
    return system, groups


def test_a_lone_suppressed_cell_in_a_row_is_determined_by_the_margin() -> None:
    system, _groups = crossed([[5, 20], [30, 40]])
    assert determined(system, {("cell", 0, 0)}) == {("cell", 0, 0)}
    # Hiding its row sibling is not enough: the column margin still gives it back.
    assert determined(system, {("cell", 0, 0), ("cell", 0, 1)}) == {
        ("cell", 0, 0), ("cell", 0, 1)}
    # The four corners of a rectangle protect each other: each row and column has two unknowns.
    assert determined(system, {("cell", 0, 0), ("cell", 0, 1), ("cell", 1, 0),
                               ("cell", 1, 1)}) == set()


def test_two_cycles_joined_by_one_cell_give_that_cell_back() -> None:
    """The issue's case. Two rectangles of suppressed cells (rows 0-1 × columns 0-1, rows 2-3 ×
    columns 2-3) joined by one suppressed cell (1, 2). No row or column has exactly one
    suppressed cell, so the sibling rule is satisfied; but the joining cell lies on no cycle of
    suppressed cells, so the margins fix it: row 1's unknowns are c + d + x and column 2's are
    x + g + h, and the rectangles' own equations pin c + d and g + h."""
    table = [[5, 6, 30, 11], [4, 5, 7, 13], [20, 33, 6, 2], [12, 14, 3, 18]]
    first = {("cell", 0, 0), ("cell", 0, 1), ("cell", 1, 0), ("cell", 1, 1)}
    second = {("cell", 2, 2), ("cell", 2, 3), ("cell", 3, 2), ("cell", 3, 3)}
    bridge = ("cell", 1, 2)
    hidden = first | second | {bridge}
    system, groups = crossed(table)
    for i in range(4):
        assert sum(("cell", i, j) in hidden for j in range(4)) != 1
        assert sum(("cell", j, i) in hidden for j in range(4)) != 1
    assert determined(system, hidden) == {bridge}
    assert determined(system, first | second) == set()  # each rectangle alone is safe
    safe = protect(system, hidden, groups=groups)
    assert determined(system, safe) == set() and hidden < safe


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=2, max_value=5),
    st.integers(min_value=2, max_value=6),
    st.data(),
)
def test_after_protect_no_suppressed_cell_of_a_crossed_table_is_determined(
    rows: int, cols: int, data: st.DataObject
) -> None:
    table = [[data.draw(st.integers(0, 60)) for _ in range(cols)] for _ in range(rows)]
    system, groups = crossed(table)
    small = {("cell", i, j) for i in range(rows) for j in range(cols) if 1 <= table[i][j] <= 7}
    safe = protect(system, small, groups=groups)
    assert small <= safe
    assert determined(system, safe) == set()
    # Independently of `determined`: the published equations leave every hidden cell free —
    # for each hidden cell there is a change of the hidden cells, keeping every published
    # value, that moves it (a null-space vector of the published rows with a non-zero entry).
    hidden = sorted(k for k in safe if k[0] == "cell")
    if hidden:
        published = [k for k in system.values if k not in safe]
        matrix = np.array([[system.cells[p].get(h, 0.0) for h in hidden] for p in published])
        if matrix.size:
            _u, s, vt = np.linalg.svd(matrix)
            rank = int(np.sum(s > 1e-9))
            null = vt[rank:]
        else:
            null = np.eye(len(hidden))
        assert all(np.abs(null[:, i]).max(initial=0.0) > 1e-9 for i in range(len(hidden)))
