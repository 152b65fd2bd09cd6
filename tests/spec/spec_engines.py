"""The engines a behaviour spec runs on, each loading a spec's tiny tables as a connection.

Why a module of its own: the `engine` fixture (conftest.py) and the property test comparing
the engines (test_engines_agree.py) both build them, and a conftest is not for importing.
Spark's engine uses the test session's one SparkSession (tests/fixtures/spark.py) and gives each
population a session of its own over it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa
from ibis.backends import BaseBackend

from joinedup.domain import contract
from joinedup.engines import duckdb as duckdb_engine
from joinedup.engines.tables import contract_schema, create_contract_tables


class DuckDBEngine:
    name = "duckdb"

    def load(self, tables: Mapping[str, Sequence[Mapping[str, Any]]]) -> BaseBackend:
        con = duckdb_engine.connect(threads=1)
        create_contract_tables(con, tables)
        return con


class SparkEngine:
    """Spark in local mode: the worker's one session (tests/fixtures/spark.py), and each
    population as its own session's views."""

    name = "spark"

    def __init__(self, session: Any) -> None:
        self.session = session

    def load(self, tables: Mapping[str, Sequence[Mapping[str, Any]]]) -> BaseBackend:
        from joinedup.engines.spark import connect_arrow

        return connect_arrow(self.session, contract_arrow(tables))


def contract_arrow(tables: Mapping[str, Sequence[Mapping[str, Any]]]) -> dict[str, pa.Table]:
    """Every contract table as Arrow, in the contract's types (empty where not given)."""
    unknown = sorted(set(tables) - {t.name for t in contract.TABLES})
    if unknown:
        raise KeyError(f"not tables of the data contract: {unknown}")
    return {
        t.name: pa.Table.from_pylist(
            list(tables.get(t.name, ())), schema=contract_schema(t).to_pyarrow()
        )
        for t in contract.TABLES
    }


ENGINES = {"duckdb": DuckDBEngine, "spark": SparkEngine}
