"""collection accounts

Revision ID: 0001
Revises:
Create Date: 2026-11-23 05:24:39.879547
"""

import sqlalchemy as sa
from alembic import op

from shared import db as shared_db
from shared.tables import create_mechanism_tables, drop_mechanism_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_mechanism_tables()
    op.create_table(
        "collection_accounts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("account_number", sa.String(length=20), nullable=False),
        sa.Column("legal_name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("business_district", sa.String(length=50), nullable=False),
        sa.Column("sales_rep", sa.String(length=100), nullable=True),
        sa.Column("payment_terms", shared_db.JSONColumn, nullable=False),
        sa.Column("contacts", shared_db.JSONColumn, nullable=False),
        sa.Column("synced_at", shared_db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("collection_accounts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_collection_accounts_account_number"), ["account_number"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_collection_accounts_business_district"),
            ["business_district"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_collection_accounts_sales_rep"), ["sales_rep"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("collection_accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_collection_accounts_sales_rep"))
        batch_op.drop_index(batch_op.f("ix_collection_accounts_business_district"))
        batch_op.drop_index(batch_op.f("ix_collection_accounts_account_number"))

    op.drop_table("collection_accounts")
    drop_mechanism_tables()
