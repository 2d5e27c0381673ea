"""payment promises

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 06:09:10.509802
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
        "payment_promises",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("amount", shared_db.DecimalType(), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("promised_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("payment_promises", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payment_promises_customer_id"), ["customer_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("payment_promises", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_promises_customer_id"))

    op.drop_table("payment_promises")
