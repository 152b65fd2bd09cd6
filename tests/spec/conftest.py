"""The `engine` fixture: every behaviour spec runs once per engine.

Today that is DuckDB (in memory). A Spark engine adds a class here with the same `load` and an
entry in ENGINES; the specs do not change. Where an engine cannot do something yet, mark the
spec with `pytest.mark.xfail(strict=True)` for that engine only, so a fix forces the mark off.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest
from ibis.backends import BaseBackend

from joinedup.engines import duckdb as duckdb_engine
from joinedup.engines.tables import create_contract_tables


class DuckDBEngine:
    name = "duckdb"

    def load(self, tables: Mapping[str, Sequence[Mapping[str, Any]]]) -> BaseBackend:
        con = duckdb_engine.connect(threads=1)
        create_contract_tables(con, tables)
        return con


ENGINES = {"duckdb": DuckDBEngine}


@pytest.fixture(params=sorted(ENGINES))
def engine(request: pytest.FixtureRequest) -> Any:
    return ENGINES[request.param]()
