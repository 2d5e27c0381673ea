"""suggestion shows its payment

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 06:25:29.159313
"""

import sqlalchemy as sa
from alembic import op

from shared import db as shared_db

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("suggestions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("amount", shared_db.DecimalType(), nullable=True))
        batch_op.add_column(sa.Column("currency", sa.String(length=3), nullable=True))
        batch_op.add_column(sa.Column("received_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("payer_name", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("suggestions", schema=None) as batch_op:
        batch_op.drop_column("payer_name")
        batch_op.drop_column("received_on")
        batch_op.drop_column("currency")
        batch_op.drop_column("amount")
