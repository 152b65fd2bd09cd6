"""The filtered reads of an aggregate store, as Ibis queries (builders for `engines.queries.run`).

Why a module of its own: `engines.aggregates` turns published rows into practice counts without
importing Ibis, so a repeat run on the all-England store runs these as kept SQL; only a first
run (or Spark) builds them here.
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis.expr.types as ir
from ibis.backends import BaseBackend


def prevalence_of_group(con: BaseBackend, group_code: str) -> ir.Table:
    """One QOF register group's rows of `qof_prevalence` (every practice)."""
    table = con.table("qof_prevalence")
    return table.filter(table.group_code == group_code)


def list_types(con: BaseBackend) -> ir.Table:
    """Each practice's list size by QOF age-base list type, once (every group repeats them)."""
    return con.table("qof_prevalence").select("practice_code", "list_type", "list_size").distinct()


def achievement(con: BaseBackend, indicator_codes: Sequence[str]) -> ir.Table:
    """The `qof_achievement` rows of the given indicators."""
    table = con.table("qof_achievement")
    return table.filter(table.indicator_code.isin(list(indicator_codes)))
