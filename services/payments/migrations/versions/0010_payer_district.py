"""payers keep the customer's district, for tokens limited to districts

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 17:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("payers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("business_district", sa.String(length=50), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("payers", schema=None) as batch_op:
        batch_op.drop_column("business_district")
