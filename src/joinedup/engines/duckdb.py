"""Connecting the measures engine to DuckDB, the embedded default backend.

Why a module of its own: everything DuckDB-specific (file paths, read-only mode, thread count)
stays here; the measures themselves are portable Ibis expressions (engines/measures.py), so a
Spark engine adds a sibling module, not a rewrite.

Why the connection is DuckDB's own, with Ibis on top only when asked: importing Ibis and building
and compiling a programme's query cost about 1.5 s, most of a small run. A query compiled once is
kept (`engines.queries`) and run on the plain DuckDB connection, so a repeat run never imports
Ibis; code that builds expressions uses the connection exactly as an Ibis backend, which it
becomes on first use (`DuckDBConnection.ibis`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from joinedup.domain.memory import duckdb_settings
from joinedup.store.reading import connect as open_checked

if TYPE_CHECKING:
    from ibis.backends import BaseBackend

IN_MEMORY = ":memory:"


class DuckDBConnection:
    """A DuckDB connection (`raw`) that is also an Ibis backend: any attribute this class does
    not define (`table`, `create_table`, `insert`, …) is the Ibis backend's, made on first use
    over the same connection."""

    def __init__(self, raw: duckdb.DuckDBPyConnection) -> None:
        self.raw = raw
        self._ibis: BaseBackend | None = None

    @property
    def ibis(self) -> BaseBackend:
        """The Ibis backend over this connection (Ibis imported on first use).

        The backend class is imported directly: `ibis.duckdb` would first scan every installed
        package's entry points (a quarter of a second)."""
        if self._ibis is None:
            from ibis.backends.duckdb import Backend

            self._ibis = Backend.from_connection(self.raw)
        return self._ibis

    def __getattr__(self, name: str) -> Any:
        return getattr(self.ibis, name)

    def table_names(self) -> frozenset[str]:
        """The tables and views of the main schema (asked each time: tests create tables)."""
        rows = self.raw.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
        ).fetchall()
        return frozenset(name for (name,) in rows)

    def schema(self) -> list[tuple[str, str, str]]:
        """Every (table, column, type) of the main schema, in order: what compiled SQL depends
        on besides the query's own inputs."""
        rows = self.raw.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'main' ORDER BY table_name, ordinal_position"
        ).fetchall()
        return [(str(t), str(c), str(d)) for t, c, d in rows]

    def disconnect(self) -> None:
        self.raw.close()


def connect(
    database: Path | str | None = None, *, read_only: bool = False, threads: int | None = None
) -> DuckDBConnection:
    """A connection to a DuckDB store file, or to a fresh in-memory database.

    A store file that does not exist is an error when `read_only` (nothing to read); otherwise
    DuckDB creates it.
    """
    path = IN_MEMORY if database is None else str(database)
    if read_only and path != IN_MEMORY and not Path(path).is_file():
        raise FileNotFoundError(f"{path}: no DuckDB store here (load data first)")
    # DuckDB spills what exceeds its memory limit (JOINEDUP_MEMORY_LIMIT, else 80% of the
    # machine's memory) to `<store>.tmp` beside the store, also when the store is read-only:
    # `run af` on a 10 M patient store peaks at 4.4 GiB, and gives the same results at a peak of
    # 1.2 GiB when the limit is 1 GB; all England's 57 M peaks at 6.5 GiB.
    if read_only and path != IN_MEMORY:
        # Opened and checked once (not DuckDB, damaged, busy: one StoreError line naming the
        # path); the store's checks opening it a second time cost 0.03 s of every command.
        raw = open_checked(path)
    else:
        raw = duckdb.connect(path, read_only=read_only, config=duckdb_settings())
    # As Ibis sets up its own connections: UTC, and no Python variables read as tables. DuckDB
    # draws its own progress bar on stdout for long queries; our commands report progress
    # themselves, and stdout is for results.
    raw.execute("SET TimeZone = 'UTC'; SET python_enable_replacements = false; "
                "SET enable_progress_bar = false")
    if threads is not None:
        raw.execute(f"SET threads = {int(threads)}")
    return DuckDBConnection(raw)


connect.checks_store = True  # type: ignore[attr-defined]
"""`app.store.open_store` need not check the store file before this opens it: this does."""
