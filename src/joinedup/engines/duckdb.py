"""Connecting the measures engine to DuckDB, the embedded default backend.

Why a module of its own: everything DuckDB-specific (file paths, read-only mode, thread count)
stays here; the measures themselves are portable Ibis expressions (engines/measures.py), so a
Spark engine adds a sibling module, not a rewrite.
"""

from __future__ import annotations

from pathlib import Path

import ibis
from ibis.backends import BaseBackend

from joinedup.domain.memory import duckdb_settings

IN_MEMORY = ":memory:"


def connect(
    database: Path | str | None = None, *, read_only: bool = False, threads: int | None = None
) -> BaseBackend:
    """An Ibis connection to a DuckDB store file, or to a fresh in-memory database.

    A store file that does not exist is an error when `read_only` (nothing to read); otherwise
    DuckDB creates it.
    """
    path = IN_MEMORY if database is None else str(database)
    if read_only and path != IN_MEMORY and not Path(path).is_file():
        raise FileNotFoundError(f"{path}: no DuckDB store here (load data first)")
    # DuckDB spills what exceeds its memory limit (JOINEDUP_MEMORY_LIMIT, else 80% of the
    # machine's memory) to `<store>.tmp` beside the store, also when the store is read-only:
    # `run af` on a 10 M patient store peaks at 4.4 GiB, and gives the same results at a peak of
    # 1.2 GiB when the limit is 1 GB; all England's 57 M peaks at 19.4 GiB.
    config: dict[str, object] = duckdb_settings()
    if threads is not None:
        config["threads"] = threads
    con = ibis.duckdb.connect(database=path, read_only=read_only, **config)
    # DuckDB draws its own progress bar on stdout for long queries; our commands report progress
    # themselves, and stdout is for results.
    con.raw_sql("SET enable_progress_bar = false")
    return con
