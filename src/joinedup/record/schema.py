"""The record's tables in the operational database, as SQLAlchemy Core objects.

Why: the record lives beside users and the audit log in the operational store (SQLite by
default, PostgreSQL by URL), created by the Alembic migration
`operational/migrations/versions/0002_record.py`; `tests/unit/operational/test_ops_migrations.py`
proves the migration builds exactly these tables. Resources are stored as JSON text, every
version kept (`fhir_versions`), the current one beside its search index; care relationships,
break-glass grants and the notification outbox are plain rows. Times are naive UTC.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()

fhir_resources = Table(
    "fhir_resources", metadata,
    Column("res_type", String(64), primary_key=True),
    Column("res_id", String(64), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("last_updated", DateTime, nullable=False),
    Column("patient_id", String(64), nullable=True),
    Column("content", Text, nullable=False),
    Index("ix_fhir_resources_patient", "patient_id", "res_type"),
    Index("ix_fhir_resources_updated", "res_type", "last_updated"),
)

fhir_versions = Table(
    "fhir_versions", metadata,
    Column("res_type", String(64), primary_key=True),
    Column("res_id", String(64), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("last_updated", DateTime, nullable=False),
    Column("method", String(8), nullable=False),
    Column("content", Text, nullable=False),
    Index("ix_fhir_versions_updated", "res_type", "last_updated"),
)

fhir_search = Table(
    "fhir_search", metadata,
    Column("id", Integer, primary_key=True),
    Column("res_type", String(64), nullable=False),
    Column("res_id", String(64), nullable=False),
    Column("param", String(64), nullable=False),
    Column("system", String(256), nullable=True),
    Column("value", String(512), nullable=True),
    Column("low", DateTime, nullable=True),
    Column("high", DateTime, nullable=True),
    Index("ix_fhir_search_value", "res_type", "param", "value"),
    Index("ix_fhir_search_dates", "res_type", "param", "low", "high"),
    Index("ix_fhir_search_resource", "res_type", "res_id"),
)

care_relationships = Table(
    "care_relationships", metadata,
    Column("id", Integer, primary_key=True),
    Column("patient_id", String(64), nullable=False),
    Column("org_code", String(10), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("source_type", String(64), nullable=False),
    Column("source_id", String(64), nullable=False),
    Column("start", DateTime, nullable=True),
    Column("until", DateTime, nullable=True),
    Index("ix_care_relationships_org", "org_code", "patient_id"),
    Index("ix_care_relationships_patient", "patient_id"),
    Index("ix_care_relationships_source", "source_type", "source_id"),
)

break_glass = Table(
    "break_glass", metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, nullable=False),
    Column("user_name", String(64), nullable=False),
    Column("org_code", String(10), nullable=True),
    Column("patient_id", String(64), nullable=False),
    Column("reason", Text, nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("reviewed_at", DateTime, nullable=True),
    Column("reviewed_by", String(64), nullable=True),
    Column("review_note", Text, nullable=True),
    Index("ix_break_glass_user_patient", "user_id", "patient_id", "expires_at"),
)

subscription_events = Table(
    "subscription_events", metadata,
    Column("subscription_id", String(64), primary_key=True),
    Column("events", Integer, nullable=False),
)

notification_outbox = Table(
    "notification_outbox", metadata,
    Column("id", Integer, primary_key=True),
    Column("subscription_id", String(64), nullable=False),
    Column("endpoint", String(512), nullable=False),
    Column("topic", String(256), nullable=False),
    Column("event_number", Integer, nullable=False),
    Column("patient_id", String(64), nullable=True),
    Column("focus_type", String(64), nullable=False),
    Column("focus_id", String(64), nullable=False),
    Column("focus_version", Integer, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", DateTime, nullable=False),
    Column("last_error", Text, nullable=True),
    Column("delivered_at", DateTime, nullable=True),
    Index("ix_notification_outbox_due", "status", "next_attempt_at"),
    Index("ix_notification_outbox_order", "endpoint", "patient_id", "id"),
)
