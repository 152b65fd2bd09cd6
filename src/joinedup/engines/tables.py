"""The contract's patient-level tables as Ibis tables, on any backend.

Why: the measures engine reads `organisations`, `patients`, `clinical_events` and `medications`
by their contract names. Only `organisations` and `patients` are required in a store, so a
missing optional table is read as an empty table with the contract's columns rather than an
error; every rule then simply finds no events. Types map once, here, from the contract's
abstract names to Ibis types, so each backend gets the same schema.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import ibis
import ibis.expr.types as ir
import pyarrow as pa
from ibis.backends import BaseBackend

from joinedup.domain import contract
from joinedup.engines.queries import has_table

IBIS_TYPES: Mapping[str, str] = {
    "string": "string",
    "date": "date",
    "timestamp": "timestamp",
    "int": "int64",
    "float": "float64",
    "bool": "boolean",
}


def contract_schema(table: contract.Table) -> ibis.Schema:
    """The Ibis schema of one contract table."""
    return ibis.schema({c.name: IBIS_TYPES[c.type] for c in table.columns})


def contract_table(con: BaseBackend, name: str) -> ir.Table:
    """The backend's table `name`, or an empty one with the contract's columns if absent."""
    if has_table(con, name):
        return con.table(name)
    if name in contract.REQUIRED_TABLES:
        raise LookupError(f"the store has no {name!r} table, which the data contract requires")
    schema = contract_schema(contract.table(name))
    return ibis.memtable(pa.Table.from_pylist([], schema=schema.to_pyarrow()))


def create_contract_tables(
    con: BaseBackend, rows: Mapping[str, Sequence[Mapping[str, object]]]
) -> None:
    """Create every contract table in `con` from rows (dicts; dates as `datetime.date`).

    Tables not given are created empty; tables already there are an error (never overwritten).
    Used by tests and small examples; real stores are written by the loader.
    """
    unknown = sorted(set(rows) - {t.name for t in contract.TABLES})
    if unknown:
        raise KeyError(f"not tables of the data contract: {unknown}")
    existing = [t.name for t in contract.TABLES if has_table(con, t.name)]
    if existing:
        raise ValueError(f"the connection already has contract tables {existing}")
    for table in contract.TABLES:
        schema = contract_schema(table)
        # Create empty, then insert: with ibis 12 and sqlglot 30, create_table(obj=...) and
        # overwrite=True emit an invalid "DROP ... IF EXISTS" on DuckDB; insert works.
        con.create_table(table.name, schema=schema)
        given = list(rows.get(table.name, ()))
        if given:
            con.insert(table.name, pa.Table.from_pylist(given, schema=schema.to_pyarrow()))

