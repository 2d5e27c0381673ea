"""change requests: terms and currency changes waiting for a second person's approval

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 12:55:00.000000
"""

import sqlalchemy as sa
from alembic import op

from shared import db as shared_db

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customer_change_requests",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("changes", shared_db.JSONColumn, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("requested_at", shared_db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("approved_by", sa.String(length=200), nullable=True),
        sa.Column("approved_at", shared_db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("customer_change_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customer_change_requests_customer_id"), ["customer_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("customer_change_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_change_requests_customer_id"))
    op.drop_table("customer_change_requests")
