"""The operational tables as SQLAlchemy Core objects, for the queries of this package.

Why: queries name columns through these objects, so a typo fails at import, not at run time. The
database itself is created and changed only by the Alembic migrations in `migrations/versions/`;
a test (`tests/unit/operational/test_migrations.py`) proves that migrating an empty database gives
exactly these tables, so the two cannot drift apart. Times are naive UTC on both databases.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("role", String(32), nullable=False),
    Column("org_code", String(10), nullable=True),
    Column("password_hash", Text, nullable=True),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", DateTime, nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime, nullable=False),
    Column("revoked_at", DateTime, nullable=True),
    Column("last_used_at", DateTime, nullable=True),
)

sessions = Table(
    "sessions",
    metadata,
    Column("session_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("created_at", DateTime, nullable=False),
    Column("last_seen_at", DateTime, nullable=False),
)

login_attempts = Table(
    "login_attempts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime, nullable=False),
    Column("user_name", String(64), nullable=False),
    Column("client_address", String(64), nullable=False),
    Column("succeeded", Boolean, nullable=False),
    Index("ix_login_attempts_user_at", "user_name", "at"),
    Index("ix_login_attempts_address_at", "client_address", "at"),
)

server_secrets = Table(
    "server_secrets",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", String(128), nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime, nullable=False, index=True),
    Column("user_id", Integer, nullable=True),
    Column("user_name", String(64), nullable=False),
    Column("role", String(32), nullable=True),
    Column("org_code", String(10), nullable=True),
    Column("action", String(64), nullable=False),
    Column("resource", String(512), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("reason", Text, nullable=True),
    Column("client_address", String(64), nullable=True),
)

audit_patients = Table(
    "audit_patients",
    metadata,
    Column("audit_id", Integer, ForeignKey("audit_log.id"), primary_key=True),
    Column("patient", String(64), primary_key=True),
    Index("ix_audit_patients_patient", "patient"),
)

APPEND_ONLY_TABLES = ("audit_log", "audit_patients")
"""Tables whose rows, once written, are never changed or removed (guarded by triggers)."""

programme_plans = Table(
    "programme_plans",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("programme", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("all_willing", Boolean, nullable=False),
    Column("wave_size", Integer, nullable=False),
    Column("max_waves", Integer, nullable=True),
    Column("saved_by", String(64), nullable=False),
    Column("saved_at", DateTime, nullable=False),
    UniqueConstraint("programme", "version", name="uq_programme_plans_version"),
)
"""Each save of a programme's willing list and waves is a new version; the latest is in force."""

programme_plan_willing = Table(
    "programme_plan_willing",
    metadata,
    Column("plan_id", Integer, ForeignKey("programme_plans.id"), primary_key=True),
    Column("practice_code", String(10), primary_key=True),
)
"""The practices willing under one version of a plan (none listed when `all_willing`)."""
