"""run queue index

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 06:31:57.140699
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.create_index(
            "ix_invoices_run_queue",
            ["billing_run_id", "status", "account_number", "id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_index("ix_invoices_run_queue")
