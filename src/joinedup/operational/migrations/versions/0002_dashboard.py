"""The dashboard's saved targeting plans: a programme's willing list and waves, versioned.

Revision ID: 0002_dashboard
A programme lead edits the willing list and the wave plan in the dashboard; every save is a new
version (the latest is in force, the earlier ones stay as history), used by the dashboard and by
the next `joinedup run`. Self-contained: it creates only its own two tables.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_dashboard"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "programme_plans",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("programme", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("all_willing", sa.Boolean, nullable=False),
        sa.Column("wave_size", sa.Integer, nullable=False),
        sa.Column("max_waves", sa.Integer, nullable=True),
        sa.Column("saved_by", sa.String(64), nullable=False),
        sa.Column("saved_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("programme", "version", name="uq_programme_plans_version"),
    )
    op.create_table(
        "programme_plan_willing",
        sa.Column("plan_id", sa.Integer, sa.ForeignKey("programme_plans.id"), primary_key=True),
        sa.Column("practice_code", sa.String(10), primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("programme_plan_willing")
    op.drop_table("programme_plans")
