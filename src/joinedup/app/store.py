"""Opening a store and asking it the questions every use case asks, in one place.

Why: `run`, `progress`, the demo, the dashboard and the record all open a store file, find out
which kind of store it is (patient-level records or published aggregates, `STORE_KINDS`), which
date it describes, and what its organisations are called. Written once here, a new kind of store
or engine is a registration in `domain.extensions`, and every user error is one `UserError`.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from joinedup.domain.errors import UserError
from joinedup.domain.extensions import ENGINES, STORE_KINDS
from joinedup.store import check_store


class StoreOpenError(UserError):
    """The store file cannot be opened or holds nothing joinedup can measure."""


@dataclass(frozen=True)
class OpenStore:
    """An open, read-only store: its connection and the kind of data it holds."""

    con: Any
    kind: Any
    path: Path

    def reference_date(self, asked: date | None = None, *, option: str = "--date") -> date:
        """The date asked for, else the date the store describes (its extract date, or an
        aggregate store's period end)."""
        if asked is not None:
            return asked
        day: date | None = self.kind.period_end(self.con)
        if day is None:
            raise StoreOpenError(f"{self.path}: the store holds no dated records; pass {option}")
        return day

    def organisation_names(self) -> dict[str, str]:
        """Every organisation's name by code (empty when the store has no organisations)."""
        from joinedup.engines.queries import has_table, read_table

        if not has_table(self.con, "organisations"):
            return {}
        orgs = read_table(self.con, "organisations", ("org_code", "name"))
        return {row["org_code"]: row["name"] for row in orgs}


@dataclass(frozen=True)
class EngineChoice:
    """Which engine measures the store (a name in `ENGINES`; None: the default, DuckDB) and,
    for an engine that runs on a cluster, where (Spark: a master URL; None: the engine's own
    default, for Spark `JOINEDUP_SPARK_MASTER` or local mode)."""

    name: str | None = None
    master: str | None = None


@contextmanager
def open_store(path: Path | str, *, engine: EngineChoice | None = None) -> Iterator[OpenStore]:
    """The store at `path`, read-only, closed on leaving the block.

    Refuses, as one `UserError` line, a path that is missing, a pipe, not a DuckDB file,
    damaged or held open by another program (`store.check_store`), a folder unless the engine
    reads folders of Parquet tables (Spark does), a master for an engine that has none, and a
    store holding neither patient-level records nor aggregates.
    """
    path = Path(path)
    choice = engine or EngineChoice()
    name = choice.name or ENGINES.default
    connect = ENGINES.load(name)
    options: dict[str, Any] = {}
    if choice.master is not None:
        if "master" not in inspect.signature(connect).parameters:
            raise StoreOpenError(f"the {name} engine runs in this process; it takes no master")
        options["master"] = choice.master
    if not path.is_dir() and not getattr(connect, "checks_store", False):
        check_store(path)  # a StoreError naming the path: missing, not DuckDB, damaged, busy
    try:
        con = connect(path, read_only=True, **options)
    except FileNotFoundError:  # a folder, and this engine reads only store files
        check_store(path)  # says so, as for any path that is not a store
        raise
    try:
        yield OpenStore(con=con, kind=_kind_of(con, path), path=path)
    finally:
        con.disconnect()


def _kind_of(con: Any, path: Path) -> Any:
    for name in STORE_KINDS.names():
        kind = STORE_KINDS.load(name)
        if kind.holds(con):
            return kind
    raise StoreOpenError(
        f"{path}: the store holds neither patient-level data (no patients table) nor published "
        "aggregates; use `joinedup load` or `joinedup import qof` first"
    )
