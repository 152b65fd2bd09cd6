"""The operational store: users, roles, API tokens, sessions, sign-in attempts and the audit log.

Why a package of its own: the web dashboard, the JSON API and the FHIR API share one set of users
and one audit log (DESIGN.md, "One server, one set of users"), and later features (the shared care
record, subscriptions) keep their state beside them. Unlike the analytics store (DuckDB, rebuilt
by `joinedup load`), this is transactional data written a row at a time, so it lives in an
ordinary SQL database: a SQLite file by default, PostgreSQL by URL, through SQLAlchemy Core, with
the same code and the same tests on both. Its schema grows by Alembic migrations
(`operational/migrations/versions/`), applied when the store is opened.

The package's names are loaded on first use (PEP 562): `joinedup run` reads only
`operational.paths` to see whether a saved plan could exist, and should not pay for SQLAlchemy
and Alembic to ask.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from joinedup.operational.paths import ops_url_for

if TYPE_CHECKING:
    from joinedup.operational.store import OpsStore, OpsStoreError, open_store

__all__ = ["OpsStore", "OpsStoreError", "open_store", "ops_url_for"]


def __getattr__(name: str) -> Any:
    if name in ("OpsStore", "OpsStoreError", "open_store"):
        return getattr(importlib.import_module("joinedup.operational.store"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
