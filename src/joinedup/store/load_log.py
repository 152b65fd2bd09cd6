"""The load log: when each load ran, from where, as of which date, by which version, and counts.

Why in the database: anyone holding the file can tell how fresh it is and what went into it.
Each load builds a new file, so the log of the previous database is copied across (when it can
be read) and the history survives reloads.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from joinedup import __version__
from joinedup.store.report import TableCounts
from joinedup.store.sql import literal

COLUMNS: tuple[tuple[str, str], ...] = (
    ("loaded_at", "TIMESTAMP"),  # UTC
    ("source_dir", "VARCHAR"),
    ("as_of", "DATE"),  # the "today" that dates were checked against
    ("joinedup_version", "VARCHAR"),
    ("duckdb_version", "VARCHAR"),
    ("rows_in", "BIGINT"),
    ("loaded", "BIGINT"),
    ("rejected", "BIGINT"),
    ("counts", "VARCHAR"),  # JSON: {table: {rows_in, loaded, rejected}}
)


def create_load_log(con: duckdb.DuckDBPyConnection, previous: Path) -> None:
    """Create the log, carrying over the previous database's entries when it has them."""
    columns = ", ".join(f"{name} {kind}" for name, kind in COLUMNS)
    con.execute(f"CREATE TABLE main.load_log ({columns})")
    if not previous.exists() or previous.stat().st_size == 0:
        return
    names = ", ".join(name for name, _ in COLUMNS)
    try:
        con.execute(f"ATTACH {literal(previous)} AS previous_db (READ_ONLY)")
    except duckdb.Error:
        return  # unreadable or in use: the history starts again with this load
    try:
        con.execute(f"INSERT INTO main.load_log ({names}) SELECT {names} FROM previous_db.load_log")
    except duckdb.Error:
        pass  # an older layout, or no log at all
    finally:
        con.execute("DETACH previous_db")


def record_load(
    con: duckdb.DuckDBPyConnection, source_dir: Path, as_of: object, tables: list[TableCounts]
) -> None:
    counts = {
        t.table: {"rows_in": t.rows_in, "loaded": t.loaded, "rejected": t.rejected} for t in tables
    }
    con.execute(
        "INSERT INTO main.load_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            datetime.now(UTC).replace(tzinfo=None),
            str(source_dir.resolve()),
            as_of,
            __version__,
            duckdb.__version__,
            sum(t.rows_in for t in tables),
            sum(t.loaded for t in tables),
            sum(t.rejected for t in tables),
            json.dumps(counts),
        ],
    )
