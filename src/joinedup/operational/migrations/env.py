"""Alembic's entry point for the operational store, run by `joinedup.operational.store.migrate`.

Why: migrations always run programmatically on a connection the store hands over (in
`config.attributes["connection"]`), never from an alembic.ini, so every deployment and every test
reaches the same schema by the same path when it opens the store.
"""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    render_as_batch=connection.dialect.name == "sqlite",
    version_table="ops_schema_version",
)
with context.begin_transaction():
    context.run_migrations()
