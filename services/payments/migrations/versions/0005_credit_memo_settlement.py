"""credit memos settled by payments; write-offs undone by a void

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 11:45:00.000000
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
        "credit_memo_credits",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.String(length=50), nullable=False),
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("total", shared_db.DecimalType(), nullable=False),
        sa.Column("on_account", shared_db.DecimalType(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("created_at", shared_db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["invoice_id"], ["open_items.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("credit_memo_credits", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_credit_memo_credits_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_credit_memo_credits_invoice_id"), ["invoice_id"], unique=False
        )
    with op.batch_alter_table("write_offs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reversed_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("write_offs", schema=None) as batch_op:
        batch_op.drop_column("reversed_on")
    with op.batch_alter_table("credit_memo_credits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_memo_credits_invoice_id"))
        batch_op.drop_index(batch_op.f("ix_credit_memo_credits_customer_id"))
    op.drop_table("credit_memo_credits")
