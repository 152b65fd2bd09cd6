"""Connecting to DuckDB: in memory, or a store file."""

from __future__ import annotations

import pytest

from joinedup.engines.duckdb import connect
from joinedup.engines.tables import contract_table, create_contract_tables


def test_a_store_file_written_can_be_reopened_read_only(tmp_path):
    path = tmp_path / "store.duckdb"
    con = connect(path)
    create_contract_tables(con, {})
    con.disconnect()
    again = connect(path, read_only=True, threads=1)
    assert contract_table(again, "organisations").count().execute() == 0


def test_reading_a_missing_store_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nope\.duckdb: no DuckDB store here"):
        connect(tmp_path / "nope.duckdb", read_only=True)


def test_the_memory_limit_asked_for_applies_to_the_measures_connection(tmp_path, monkeypatch):
    def limit(con) -> str:
        return con.raw_sql("SELECT current_setting('memory_limit')").fetchone()[0]

    default = limit(connect())
    monkeypatch.setenv("JOINEDUP_MEMORY_LIMIT", "300MiB")
    asked = limit(connect())
    assert asked == "300.0 MiB" and asked != default
