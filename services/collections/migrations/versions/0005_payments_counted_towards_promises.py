"""payments counted towards promises

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 06:28:19.040280
"""

import sqlalchemy as sa
from alembic import op

from shared import db as shared_db

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("promises_to_pay", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("counted_payments", shared_db.JSONColumn, server_default="{}", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("promises_to_pay", schema=None) as batch_op:
        batch_op.drop_column("counted_payments")
