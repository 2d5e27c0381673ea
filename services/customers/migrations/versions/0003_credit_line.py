"""credit line: the limit and review date credit approved, on the customer

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 09:40:00.000000
"""

import sqlalchemy as sa
from alembic import op

from shared import db as shared_db

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("credit_line", shared_db.JSONColumn, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_column("credit_line")
