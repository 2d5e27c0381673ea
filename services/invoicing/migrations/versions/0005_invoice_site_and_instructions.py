"""invoice job-site address and special instructions

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 09:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

from shared import db as shared_db

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("job_site_address", shared_db.JSONColumn, nullable=True))
        batch_op.add_column(
            sa.Column("special_instructions", sa.String(length=2000), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_column("special_instructions")
        batch_op.drop_column("job_site_address")
