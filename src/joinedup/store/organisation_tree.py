"""Checking the organisations as a tree, using the domain's rules, until what remains is whole.

Why a loop: rejecting an organisation (a cycle, a practice under a trust) orphans its children,
whose patients would then point at a practice with no PCN. So the rows that passed the row
checks are checked as a tree repeatedly: first any organisation whose parent is missing or was
rejected goes, then the domain's ``hierarchy_problems`` judges the rest; this repeats until a
round finds nothing. What is left always forms a valid footprint.
"""

from __future__ import annotations

from collections.abc import Mapping

from joinedup.domain.organisations import hierarchy_problems


def row_text(row: int, fmt: str) -> str:
    """'row 3', plus the file line for CSV: 'row 3, line 4'."""
    return f"row {row}, line {row + 1}" if fmt == "csv" else f"row {row}"


def tree_rejects(
    rows: Mapping[int, Mapping[str, object]],
    first_row: Mapping[str, int],
    file_name: str,
    fmt: str,
) -> dict[int, list[tuple[str, str]]]:
    """Rows (by data row number) to reject, each with its (field, reason) list.

    ``rows`` are the rows that passed every row check, with unique org codes; ``first_row``
    maps each org code in the file to the first row holding it, to point at rejected parents.
    """
    alive: dict[str, tuple[int, Mapping[str, object]]] = {
        str(row["org_code"]): (number, row) for number, row in rows.items()
    }
    rejected: dict[int, list[tuple[str, str]]] = {}
    while True:
        found: dict[str, list[tuple[str, str]]] = {}
        for code, (_, row) in alive.items():
            parent = row.get("parent_code")
            if parent is None or parent in alive:
                continue
            if parent in first_row:
                where = row_text(first_row[str(parent)], fmt)
                reason = f"parent_code refers to a rejected organisation ({file_name} {where})"
            else:
                reason = f"parent_code {parent!r} matches no organisation in {file_name}"
            found[code] = [("parent_code", reason)]
        if not found:
            for problem in hierarchy_problems([row for _, row in alive.values()]):
                if problem.org_code in alive:
                    found.setdefault(problem.org_code, []).append((problem.field, problem.reason))
        if not found:
            return rejected
        for code, problems in found.items():
            number, _ = alive.pop(code)
            rejected[number] = problems
