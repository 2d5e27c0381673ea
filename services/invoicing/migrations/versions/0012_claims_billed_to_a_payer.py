"""claims: an invoice billed to a third-party payer names the customer it is for and the claim

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 13:05:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claim_for", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("claim_number", sa.String(length=50), nullable=True))
        batch_op.create_index("ix_invoices_claim_for", ["claim_for"])


def downgrade() -> None:
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_index("ix_invoices_claim_for")
        batch_op.drop_column("claim_number")
        batch_op.drop_column("claim_for")
