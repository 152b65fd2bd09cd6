"""Opening a store for reading, as DuckDB or as an Ibis backend: the one place a store is opened.

Why here: programmes, reports and the dashboard read the store but must never write to it;
opening read-only by default makes that the easy path. And whatever the path holds (nothing, a
folder, a text file, a damaged copy, a store another program holds open), the answer is one
``StoreError`` naming the path (``store_file``), never DuckDB quietly creating an empty file
or an engine traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from joinedup.domain.memory import duckdb_settings
from joinedup.store.errors import StoreError
from joinedup.store.store_file import check_whole, engine_problem, path_problem

if TYPE_CHECKING:
    from ibis.backends.duckdb import Backend

_CREATE = "create it with `joinedup load` or `joinedup import`"


def _check_existing(path: Path) -> None:
    problem = path_problem(path)
    if problem == "does not exist":
        raise StoreError(f"{path}: no store found; {_CREATE}")
    if problem == "is empty":
        raise StoreError(f"{path} is empty, not a DuckDB store; {_CREATE}")
    if problem is not None:
        raise StoreError(f"{path} {problem}")


def connect(db_path: str | Path, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection to the store (read-only unless asked otherwise).

    Raises StoreError, naming the path, when it holds no usable DuckDB store. Writing to a path
    where nothing is yet creates a database there.
    """
    path = Path(db_path)
    if read_only or path.exists():
        _check_existing(path)
    try:
        con = duckdb.connect(str(path), read_only=read_only, config=duckdb_settings())
    except duckdb.Error as exc:
        raise StoreError(f"{path} {engine_problem(exc)}") from None
    try:
        damage = check_whole(con, path)
    except duckdb.Error as exc:
        con.close()
        raise StoreError(f"{path} {engine_problem(exc)}") from None
    if damage is not None:
        con.close()
        raise StoreError(f"{path} {damage}")
    return con


def check_store(db_path: str | Path) -> None:
    """Raise StoreError, naming the path, unless it holds a DuckDB store that opens whole.

    For openers of their own (an engine's connection) that want the same one-line answers.
    """
    connect(db_path).close()


def ibis_connect(db_path: str | Path) -> Backend:
    """An Ibis DuckDB backend on the store, read-only (Ibis is imported on first use)."""
    import ibis

    return ibis.duckdb.from_connection(connect(db_path))
