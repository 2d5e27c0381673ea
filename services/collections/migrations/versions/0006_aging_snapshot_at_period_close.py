"""aging snapshot at period close

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 06:39:52.990554
"""

import sqlalchemy as sa
from alembic import op

from shared import db as shared_db

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("closed_periods", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("aging_snapshot", shared_db.JSONColumn, server_default="[]", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("closed_periods", schema=None) as batch_op:
        batch_op.drop_column("aging_snapshot")
