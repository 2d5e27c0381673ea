"""unbilled pass-through: billable third-party costs not billed yet, beside rent and storage

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 13:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

from shared import db as shared_db

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("unbilled_rentals") as batch:
        batch.add_column(
            sa.Column("pass_through", shared_db.DecimalType(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("unbilled_rentals") as batch:
        batch.drop_column("pass_through")
