"""The migrations build exactly the tables `operational/schema.py` queries, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, inspect, text

from joinedup.domain.roles import Role
from joinedup.operational import OpsStore, open_store
from joinedup.operational.schema import metadata
from joinedup.operational.store import MIGRATIONS
from joinedup.record.schema import metadata as record_metadata


def declared_tables() -> MetaData:
    """Every table a package of joinedup declares in the operational database."""
    combined = MetaData()
    for part in (metadata, record_metadata):
        for table in part.tables.values():
            table.to_metadata(combined)
    return combined


def head_revision() -> str:
    """The one head of the migration scripts (two heads would be a broken chain)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, heads
    return str(heads[0])


def test_migrated_schema_matches_the_declared_tables(ops_store: OpsStore) -> None:
    with ops_store.engine.connect() as conn:
        options = {"compare_type": True, "version_table": "ops_schema_version"}
        context = MigrationContext.configure(conn, opts=options)
        differences = compare_metadata(context, declared_tables())
    assert differences == []


def test_opening_again_is_a_no_op_at_the_head_revision(ops_url: str) -> None:
    first = open_store(ops_url)
    first.accounts.add("kept", Role.ICS_ANALYST)
    first.close()
    second = open_store(ops_url)
    with second.engine.connect() as conn:
        version = conn.execute(text("SELECT version_num FROM ops_schema_version")).scalar_one()
    assert version == head_revision()
    assert [u.name for u in second.accounts.list()] == ["kept"]
    assert set(inspect(second.engine).get_table_names()) >= {"users", "audit_log"}
    second.close()
