"""The operational store: users, roles, API tokens, sessions, sign-in attempts and the audit log.

Why a package of its own: the web dashboard, the JSON API and the FHIR API share one set of users
and one audit log (DESIGN.md, "One server, one set of users"), and later features (the shared care
record, subscriptions) keep their state beside them. Unlike the analytics store (DuckDB, rebuilt
by `joinedup load`), this is transactional data written a row at a time, so it lives in an
ordinary SQL database: a SQLite file by default, PostgreSQL by URL, through SQLAlchemy Core, with
the same code and the same tests on both. Its schema grows by Alembic migrations
(`operational/migrations/versions/`), applied when the store is opened.
"""

from joinedup.operational.store import OpsStore, OpsStoreError, open_store, ops_url_for

__all__ = ["OpsStore", "OpsStoreError", "open_store", "ops_url_for"]
