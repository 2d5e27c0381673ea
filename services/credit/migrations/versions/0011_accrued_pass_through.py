"""accrued pass-through: billable third-party costs not billed yet, beside accrued rent

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 13:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

from shared import db as shared_db

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("accrued_rentals") as batch:
        batch.add_column(
            sa.Column("pass_through", shared_db.DecimalType(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("accrued_rentals") as batch:
        batch.drop_column("pass_through")
