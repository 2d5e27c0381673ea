"""close checklist, frozen KPIs and override at close, reconciliations

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 11:50:00.000000
"""

import sqlalchemy as sa
from alembic import op

from shared import db as shared_db

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("closed_periods", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kpi_snapshot", shared_db.JSONColumn, server_default="[]", nullable=False)
        )
        batch_op.add_column(sa.Column("override_reason", sa.String(length=500), nullable=True))
        batch_op.add_column(
            sa.Column("incomplete_items", shared_db.JSONColumn, server_default="[]", nullable=False)
        )
    op.create_table(
        "close_signoffs",
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("item", sa.String(length=50), nullable=False),
        sa.Column("signed_by", sa.String(length=200), nullable=False),
        sa.Column("signed_at", shared_db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("period", "item"),
    )
    op.create_table(
        "reconciliations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("prepared_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", shared_db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sources", shared_db.JSONColumn, nullable=False),
        sa.Column("signed_off_by", sa.String(length=200), nullable=True),
        sa.Column("signed_off_at", shared_db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_reconciliations_as_of", "reconciliations", ["as_of"])
    op.create_table(
        "reconciliation_differences",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("reconciliation_id", sa.Uuid(), nullable=False),
        sa.Column("side", sa.String(length=20), nullable=False),
        sa.Column("account_number", sa.String(length=100), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("klass", sa.String(length=30), nullable=False),
        sa.Column("held_by", sa.String(length=10), nullable=False),
        sa.Column("document", sa.String(length=100), nullable=True),
        sa.Column("source_amount", shared_db.DecimalType(), nullable=False),
        sa.Column("ledger_amount", shared_db.DecimalType(), nullable=False),
        sa.Column("difference", shared_db.DecimalType(), nullable=False),
        sa.Column("explanation", sa.String(length=500), nullable=False),
        sa.Column("rows", shared_db.JSONColumn, nullable=False),
        sa.Column("documents", shared_db.JSONColumn, nullable=False),
        sa.Column("resolution", sa.String(length=30), nullable=False),
        sa.Column("resolution_note", sa.String(length=500), nullable=True),
        sa.Column("adjusting_document", sa.String(length=100), nullable=True),
        sa.Column("resolved_by", sa.String(length=200), nullable=True),
        sa.Column("resolved_at", shared_db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_reconciliation_differences",
        "reconciliation_differences",
        ["reconciliation_id", "side"],
    )


def downgrade() -> None:
    op.drop_index("ix_reconciliation_differences", table_name="reconciliation_differences")
    op.drop_table("reconciliation_differences")
    op.drop_index("ix_reconciliations_as_of", table_name="reconciliations")
    op.drop_table("reconciliations")
    op.drop_table("close_signoffs")
    with op.batch_alter_table("closed_periods", schema=None) as batch_op:
        batch_op.drop_column("incomplete_items")
        batch_op.drop_column("override_reason")
        batch_op.drop_column("kpi_snapshot")
