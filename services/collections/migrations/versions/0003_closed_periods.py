"""closed periods

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 06:04:45.509854
"""

import sqlalchemy as sa
from alembic import op

from shared import db as shared_db

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "closed_periods",
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("closed_through", sa.Date(), nullable=False),
        sa.Column("closed_by", sa.String(length=200), nullable=False),
        sa.Column("closed_at", shared_db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ar_balance", shared_db.JSONColumn, nullable=False),
        sa.PrimaryKeyConstraint("period"),
    )


def downgrade() -> None:
    op.drop_table("closed_periods")
