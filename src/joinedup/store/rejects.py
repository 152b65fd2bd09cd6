"""The rejects: every row a load turned away, where it came from, why, and the row itself.

Why both a table and a CSV: the table travels with the database, so whoever queries the data
can see what is missing from it; the CSV goes to whoever fixes the extract, who may not have
DuckDB. One row per rejected input row. ``field`` names the first field found at fault;
``reason`` lists every problem found in the row, in check order, separated by "; ".
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from joinedup.domain.contract import TABLES
from joinedup.store.sql import literal

COLUMNS: tuple[tuple[str, str], ...] = (
    ("table_name", "VARCHAR"),  # contract table
    ("file_name", "VARCHAR"),  # the file the row came from
    ("row_number", "BIGINT"),  # 1-based data row (the header is not a row)
    ("line_number", "BIGINT"),  # CSV only: the file line, row_number + 1 for the header
    ("field", "VARCHAR"),  # first field at fault ("*" for a whole-row repeat)
    ("reason", "VARCHAR"),  # every problem found, "; "-separated
    ("raw_row", "VARCHAR"),  # the row as the file held it, as a JSON object
)


def create_rejects_table(con: duckdb.DuckDBPyConnection) -> None:
    columns = ", ".join(f"{name} {kind}" for name, kind in COLUMNS)
    con.execute(f"CREATE TABLE main.rejects ({columns})")


def export_rejects(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Write the rejects table to CSV (header always, even with no rows), in load order.

    `path` is already a temporary sibling that the load renames into place, so DuckDB is told
    not to write through a `tmp_` file of its own: a load killed mid-copy would leave that one
    where `atomic.sweep` does not look."""
    order = " ".join(f"WHEN {literal(t.name)} THEN {i}" for i, t in enumerate(TABLES))
    con.execute(
        f"COPY (SELECT * FROM main.rejects ORDER BY CASE table_name {order} END, row_number) "
        f"TO {literal(path)} (FORMAT csv, HEADER true, DELIMITER ',', USE_TMP_FILE false)"
    )
