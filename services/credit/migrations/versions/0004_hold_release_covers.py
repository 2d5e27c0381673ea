"""hold release covers: what a person's release of a credit hold accepted

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 09:45:00.000000
"""

import sqlalchemy as sa
from alembic import op

from shared import db as shared_db

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hold_release_covers",
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("hold_id", sa.Uuid(), nullable=False),
        sa.Column("released_by", sa.String(length=200), nullable=False),
        sa.Column("released_on", sa.Date(), nullable=False),
        sa.Column("over_limit", shared_db.DecimalType(), nullable=False),
        sa.Column("past_due_invoices", shared_db.JSONColumn, nullable=False),
        sa.PrimaryKeyConstraint("customer_id"),
    )


def downgrade() -> None:
    op.drop_table("hold_release_covers")
