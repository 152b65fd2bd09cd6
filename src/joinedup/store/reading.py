"""Opening a loaded database for reading, as DuckDB or as an Ibis backend.

Why here: programmes, reports and the dashboard read the store but must never write to it;
opening read-only by default makes that the easy path, and a missing database is a clear
error rather than DuckDB quietly creating an empty file.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from joinedup.store.errors import StoreError

if TYPE_CHECKING:
    from ibis.backends.duckdb import Backend


def _existing(db_path: str | Path) -> Path:
    path = Path(db_path)
    if not path.is_file():
        raise StoreError(f"no database at {path}; create it with `joinedup load`")
    return path


def connect(db_path: str | Path, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection to the loaded database (read-only unless asked otherwise)."""
    path = _existing(db_path) if read_only else Path(db_path)
    return duckdb.connect(str(path), read_only=read_only)


def ibis_connect(db_path: str | Path) -> Backend:
    """An Ibis DuckDB backend on the loaded database, read-only (Ibis is imported on first use)."""
    import ibis

    return ibis.duckdb.connect(database=str(_existing(db_path)), read_only=True)
