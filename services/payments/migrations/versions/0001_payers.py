"""payers

Revision ID: 0001
Revises:
Create Date: 2026-11-23 05:27:17.452854
"""

import sqlalchemy as sa
from alembic import op

from shared.tables import create_mechanism_tables, drop_mechanism_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_mechanism_tables()
    op.create_table(
        "payers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("account_number", sa.String(length=20), nullable=False),
        sa.Column("legal_name", sa.String(length=200), nullable=False),
        sa.Column("dba", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("payers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payers_account_number"), ["account_number"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("payers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payers_account_number"))

    op.drop_table("payers")
    drop_mechanism_tables()
