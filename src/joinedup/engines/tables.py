"""The contract's patient-level tables as Ibis tables, on any backend.

Why: the measures engine reads `organisations`, `patients`, `clinical_events` and `medications`
by their contract names. Only `organisations` and `patients` are required in a store, so a
missing optional table is read as an empty table with the contract's columns rather than an
error; every rule then simply finds no events. Types map once, here, from the contract's
abstract names to Ibis types, so each backend gets the same schema.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime

import duckdb
import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import pyarrow as pa
from ibis.backends import BaseBackend

from joinedup.domain import contract
from joinedup.engines.queries import has_table
from joinedup.store.sql import ident

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


def in_memory(columns: Mapping[str, Sequence[object]], schema: ibis.Schema) -> ir.Table:
    """A small table of Python values (a codelist's codes, the period ends) as an Ibis table.

    Why not `ibis.memtable`: turning Python values into Arrow imports pandas (pyarrow checks
    every input for a pandas object, and Ibis's `memtable` dispatch does too), up to half a
    second of every first run (one that compiles its query) for nothing the run uses. DuckDB,
    loaded already, makes the Arrow table from the values instead; Ibis holds it as
    `ibis.memtable` holds an Arrow table.
    """
    from ibis import util
    from ibis.backends.sql.datatypes import DuckDBType
    from ibis.expr import operations as ops
    from ibis.formats.pyarrow import PyArrowTableProxy

    names = list(schema)
    if not names or set(columns) != set(names):
        raise ValueError(f"columns {sorted(columns)} do not match the schema's {names}")
    lengths = {name: len(columns[name]) for name in names}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"columns of different lengths: {lengths}")
    for name, kind in schema.items():
        _check_values(name, kind, columns[name])
    # Each column goes to DuckDB as one list parameter, unnested side by side: one call
    # whatever the number of rows (row by row, a codelist of 20,000 codes took 5 s).
    select = ", ".join(f"unnest(?::{DuckDBType.to_string(kind)}[]) AS {ident(name)}"
                       for name, kind in schema.items())
    con = duckdb.connect()
    try:
        values = [list(columns[name]) for name in names]
        data = con.sql(f"SELECT {select}", params=values).to_arrow_table()
        data = data.cast(schema.to_pyarrow())
    finally:
        con.close()
    table = ops.InMemoryTable(name=util.gen_name("pyarrow_memtable"), schema=schema,
                              data=PyArrowTableProxy(data))
    return table.to_expr()


def _check_values(name: str, kind: dt.DataType, values: Sequence[object]) -> None:
    """Refuse a value of the wrong Python type for its column (the cast to the column's type
    would otherwise turn 1.5 into 2 or "1" into a number without a word)."""
    if kind.is_boolean():
        allowed: tuple[type, ...] = (bool,)
    elif kind.is_integer():
        allowed = (int,)
    elif kind.is_floating():
        allowed = (int, float)
    elif kind.is_string():
        allowed = (str,)
    elif kind.is_timestamp():
        allowed = (datetime,)
    elif kind.is_date():
        allowed = (date,)
    else:
        raise ValueError(f"column {name!r}: type {kind} is not one in_memory makes")
    for value in values:
        wrong = value is not None and (
            not isinstance(value, allowed)
            or (isinstance(value, bool) and bool not in allowed)
            or (isinstance(value, datetime) and datetime not in allowed))
        if wrong:
            raise ValueError(f"column {name!r} ({kind}): {value!r} is not of that type")


def contract_table(con: BaseBackend, name: str) -> ir.Table:
    """The backend's table `name`, or an empty one with the contract's columns if absent."""
    if has_table(con, name):
        return con.table(name)
    if name in contract.REQUIRED_TABLES:
        raise LookupError(f"the store has no {name!r} table, which the data contract requires")
    schema = contract_schema(contract.table(name))
    return in_memory({column: [] for column in schema}, schema)


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

