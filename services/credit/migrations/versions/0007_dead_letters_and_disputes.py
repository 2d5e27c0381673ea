"""dead letters kept in the service's database (embedded mode); collections' disputes, and what
each customer disputes

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-07 11:45:00.000000
"""

import sqlalchemy as sa
from alembic import op

from shared import db as shared_db
from shared.tables import create_dead_letters, drop_dead_letters

revision = "0007"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_dead_letters()
    op.create_table(
        "disputes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("invoice_id", sa.Uuid(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount", shared_db.DecimalType(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("resolved_on", sa.Date(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_credit_disputes_customer", "disputes", ["customer_id", "resolved_on"])
    with op.batch_alter_table("credit_accounts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("disputed", shared_db.DecimalType(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("credit_accounts", schema=None) as batch_op:
        batch_op.drop_column("disputed")
    op.drop_index("ix_credit_disputes_customer", table_name="disputes")
    op.drop_table("disputes")
    drop_dead_letters()
