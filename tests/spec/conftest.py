"""The `engine` fixture: every behaviour spec runs once per engine, DuckDB and Spark.

The engines are in spec_engines.py, each with the same `load` (a spec's rows as a connection).
Where an engine cannot do something yet, mark the spec
`@pytest.mark.engine_gap("spark", reason="...")`: that engine's case becomes a strict xfail (as
Ibis marks a backend's gaps), so it must fail, and a fix makes the run fail until the mark comes
off; the other engines' cases run as usual.
"""

from __future__ import annotations

from typing import Any

import pytest
from spec_engines import ENGINES, SparkEngine


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Turn each `engine_gap(name, ..., reason=...)` mark into a strict xfail of those engines'
    cases of the spec."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        name = callspec.params.get("engine") if callspec is not None else None
        for mark in item.iter_markers("engine_gap"):
            unknown = sorted(set(mark.args) - set(ENGINES))
            if unknown or not mark.args or not mark.kwargs.get("reason"):
                raise pytest.UsageError(
                    f"{item.nodeid}: engine_gap needs engines among {sorted(ENGINES)} and a "
                    f"reason (got {list(mark.args)})"
                )
            if name in mark.args:
                item.add_marker(
                    pytest.mark.xfail(strict=True, reason=f"{name}: {mark.kwargs['reason']}")
                )


@pytest.fixture(params=sorted(ENGINES))
def engine(request: pytest.FixtureRequest) -> Any:
    if request.param == "spark":
        return SparkEngine(request.getfixturevalue("spark_session"))
    return ENGINES[request.param]()
