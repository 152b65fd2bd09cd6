"""The shared care record: FHIR resources and their versions, the search index, care
relationships, break-glass grants and the subscription notification outbox (issue 11).

Revision ID: 0003_record (after 0002_dashboard)
The tables mirror `joinedup/record/schema.py`; the record package reaches them through the
operational store's engine.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_record"
down_revision = "0002_dashboard"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fhir_resources",
        sa.Column("res_type", sa.String(64), primary_key=True),
        sa.Column("res_id", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("last_updated", sa.DateTime, nullable=False),
        sa.Column("patient_id", sa.String(64), nullable=True),
        sa.Column("content", sa.Text, nullable=False),
    )
    op.create_index("ix_fhir_resources_patient", "fhir_resources", ["patient_id", "res_type"])
    op.create_index("ix_fhir_resources_updated", "fhir_resources", ["res_type", "last_updated"])
    op.create_table(
        "fhir_versions",
        sa.Column("res_type", sa.String(64), primary_key=True),
        sa.Column("res_id", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("last_updated", sa.DateTime, nullable=False),
        sa.Column("method", sa.String(8), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
    )
    op.create_index("ix_fhir_versions_updated", "fhir_versions", ["res_type", "last_updated"])
    op.create_table(
        "fhir_search",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("res_type", sa.String(64), nullable=False),
        sa.Column("res_id", sa.String(64), nullable=False),
        sa.Column("param", sa.String(64), nullable=False),
        sa.Column("system", sa.String(256), nullable=True),
        sa.Column("value", sa.String(512), nullable=True),
        sa.Column("low", sa.DateTime, nullable=True),
        sa.Column("high", sa.DateTime, nullable=True),
    )
    op.create_index("ix_fhir_search_value", "fhir_search", ["res_type", "param", "value"])
    op.create_index("ix_fhir_search_dates", "fhir_search", ["res_type", "param", "low", "high"])
    op.create_index("ix_fhir_search_resource", "fhir_search", ["res_type", "res_id"])
    op.create_table(
        "care_relationships",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("patient_id", sa.String(64), nullable=False),
        sa.Column("org_code", sa.String(10), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("source_type", sa.String(64), nullable=False),
        sa.Column("source_id", sa.String(64), nullable=False),
        sa.Column("start", sa.DateTime, nullable=True),
        sa.Column("until", sa.DateTime, nullable=True),
    )
    op.create_index("ix_care_relationships_org", "care_relationships",
                    ["org_code", "patient_id"])
    op.create_index("ix_care_relationships_patient", "care_relationships", ["patient_id"])
    op.create_index("ix_care_relationships_source", "care_relationships",
                    ["source_type", "source_id"])
    op.create_table(
        "break_glass",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("user_name", sa.String(64), nullable=False),
        sa.Column("org_code", sa.String(10), nullable=True),
        sa.Column("patient_id", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
        sa.Column("reviewed_at", sa.DateTime, nullable=True),
        sa.Column("reviewed_by", sa.String(64), nullable=True),
        sa.Column("review_note", sa.Text, nullable=True),
    )
    op.create_index("ix_break_glass_user_patient", "break_glass",
                    ["user_id", "patient_id", "expires_at"])
    op.create_table(
        "subscription_events",
        sa.Column("subscription_id", sa.String(64), primary_key=True),
        sa.Column("events", sa.Integer, nullable=False),
    )
    op.create_table(
        "notification_outbox",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("subscription_id", sa.String(64), nullable=False),
        sa.Column("endpoint", sa.String(512), nullable=False),
        sa.Column("topic", sa.String(256), nullable=False),
        sa.Column("event_number", sa.Integer, nullable=False),
        sa.Column("patient_id", sa.String(64), nullable=True),
        sa.Column("focus_type", sa.String(64), nullable=False),
        sa.Column("focus_id", sa.String(64), nullable=False),
        sa.Column("focus_version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.DateTime, nullable=False),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("delivered_at", sa.DateTime, nullable=True),
    )
    op.create_index("ix_notification_outbox_due", "notification_outbox",
                    ["status", "next_attempt_at"])
    op.create_index("ix_notification_outbox_order", "notification_outbox",
                    ["endpoint", "patient_id", "id"])


def downgrade() -> None:
    for table in ("notification_outbox", "subscription_events", "break_glass",
                  "care_relationships", "fhir_search", "fhir_versions", "fhir_resources"):
        op.drop_table(table)
