"""what payments keeps of a credit memo on account

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-07 11:50:00.000000
"""

import sqlalchemy as sa
from alembic import op

from shared import db as shared_db

revision = "0009"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "credit_on_account", shared_db.DecimalType(), nullable=False, server_default="0"
            )
        )
    with op.batch_alter_table("credit_memos", schema=None) as batch_op:
        batch_op.add_column(sa.Column("on_account", shared_db.DecimalType(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("credit_memos", schema=None) as batch_op:
        batch_op.drop_column("on_account")
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_column("credit_on_account")
