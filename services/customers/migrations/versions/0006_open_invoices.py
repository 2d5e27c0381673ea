"""open invoices: what each customer still owes per invoice, so a currency change can wait

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 17:40:00.000000
"""

import sqlalchemy as sa
from alembic import op

from shared import db as shared_db

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "open_invoices",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.String(length=50), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("balance", shared_db.DecimalType(), nullable=False),
        sa.Column("issued", sa.Boolean(), nullable=False),
        sa.Column("voided", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_open_invoices_customer", "open_invoices", ["customer_id", "currency"])


def downgrade() -> None:
    op.drop_index("ix_open_invoices_customer", table_name="open_invoices")
    op.drop_table("open_invoices")
