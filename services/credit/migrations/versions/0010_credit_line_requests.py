"""credit line requests: a limit above the second-approval threshold waiting for its approver

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-07 12:50:00.000000
"""

import sqlalchemy as sa
from alembic import op

from shared import db as shared_db

revision = "0010"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "credit_line_requests",
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("credit_limit", shared_db.DecimalType(), nullable=False),
        sa.Column("terms", shared_db.JSONColumn, nullable=False),
        sa.Column("review_on", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("requested_at", shared_db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("customer_id"),
    )


def downgrade() -> None:
    op.drop_table("credit_line_requests")
