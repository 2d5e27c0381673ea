"""monthly credit sales

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 06:10:37.099911
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
        "monthly_credit_sales",
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("business_district", sa.String(length=50), nullable=False),
        sa.Column("sales_rep", sa.String(length=100), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("amount", shared_db.DecimalType(), nullable=False),
        sa.PrimaryKeyConstraint("currency", "business_district", "sales_rep", "month"),
    )


def downgrade() -> None:
    op.drop_table("monthly_credit_sales")
