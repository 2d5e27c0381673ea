"""ledger and collection work

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 05:42:32.951429
"""

import sqlalchemy as sa
from alembic import op

from shared import db as shared_db

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "aging_positions",
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("column", sa.String(length=10), nullable=False),
        sa.Column("ar_control", sa.Boolean(), nullable=False),
        sa.Column("business_district", sa.String(length=50), nullable=False),
        sa.Column("sales_rep", sa.String(length=100), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("document_date", sa.Date(), nullable=False),
        sa.Column("balance", shared_db.DecimalType(), nullable=False),
        sa.PrimaryKeyConstraint(
            "currency",
            "column",
            "ar_control",
            "business_district",
            "sales_rep",
            "due_date",
            "document_date",
        ),
    )
    op.create_table(
        "collection_activities",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("occurred_at", shared_db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=500), nullable=True),
        sa.Column("next_step", sa.String(length=500), nullable=True),
        sa.Column("next_step_on", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("invoice_id", sa.Uuid(), nullable=True),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("collection_activities", schema=None) as batch_op:
        batch_op.create_index(
            "ix_activities_customer", ["customer_id", "occurred_at"], unique=False
        )

    op.create_table(
        "disputes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("invoice_id", sa.Uuid(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount", shared_db.DecimalType(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("department", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("resolved_on", sa.Date(), nullable=True),
        sa.Column("resolution", sa.String(length=500), nullable=True),
        sa.Column("opened_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("disputes", schema=None) as batch_op:
        batch_op.create_index("ix_disputes_customer", ["customer_id", "status"], unique=False)

    op.create_table(
        "dunning_notices",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("stage", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_past_due", shared_db.DecimalType(), nullable=False),
        sa.Column("invoice_ids", shared_db.JSONColumn, nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("sent_to", shared_db.JSONColumn, nullable=False),
        sa.Column("sent_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("dunning_notices", schema=None) as batch_op:
        batch_op.create_index("ix_dunning_customer", ["customer_id", "sent_on"], unique=False)

    op.create_table(
        "journal_lines",
        sa.Column("entry_id", sa.Uuid(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("posted_on", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("source", sa.String(length=50), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("document_number", sa.String(length=100), nullable=True),
        sa.Column("customer_id", sa.Uuid(), nullable=True),
        sa.Column("account", sa.String(length=50), nullable=False),
        sa.Column("debit", shared_db.DecimalType(), nullable=False),
        sa.Column("credit", shared_db.DecimalType(), nullable=False),
        sa.Column("business_district", sa.String(length=50), nullable=True),
        sa.Column("memo", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("entry_id", "line_no"),
    )
    with op.batch_alter_table("journal_lines", schema=None) as batch_op:
        batch_op.create_index("ix_journal_lines_account", ["account", "posted_on"], unique=False)

    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("amount", shared_db.DecimalType(), nullable=False),
        sa.Column("entry_date", sa.Date(), nullable=False),
        sa.Column("reference", sa.Uuid(), nullable=True),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("column", sa.String(length=10), nullable=False),
        sa.Column("ar_control", sa.Boolean(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("document_date", sa.Date(), nullable=False),
        sa.Column("business_district", sa.String(length=50), nullable=False),
        sa.Column("sales_rep", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ledger_entries_customer", ["customer_id", "entry_date"], unique=False
        )
        batch_op.create_index("ix_ledger_entries_date", ["entry_date"], unique=False)
        batch_op.create_index("ix_ledger_entries_item", ["item_id", "entry_date"], unique=False)

    op.create_table(
        "ledger_event_log",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.String(length=100), nullable=False),
        sa.Column("envelope", sa.Text(), nullable=False),
        sa.Column("logged_at", shared_db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("event_id"),
    )
    op.create_table(
        "ledger_items",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("number", sa.String(length=100), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("document_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("business_district", sa.String(length=50), nullable=False),
        sa.Column("sales_rep", sa.String(length=100), nullable=False),
        sa.Column("column", sa.String(length=10), nullable=False),
        sa.Column("ar_control", sa.Boolean(), nullable=False),
        sa.Column("original_amount", shared_db.DecimalType(), nullable=False),
        sa.Column("balance", shared_db.DecimalType(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("ledger_items", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ledger_items_customer", ["customer_id", "kind", "due_date"], unique=False
        )

    op.create_table(
        "ledger_parked_entries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("amount", shared_db.DecimalType(), nullable=False),
        sa.Column("entry_date", sa.Date(), nullable=False),
        sa.Column("reference", sa.Uuid(), nullable=True),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("ledger_parked_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ledger_parked_entries_item_id"), ["item_id"], unique=False
        )

    op.create_table(
        "promises_to_pay",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount", shared_db.DecimalType(), nullable=False),
        sa.Column("promised_on", sa.Date(), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("paid_amount", shared_db.DecimalType(), nullable=False),
        sa.Column("kept_on", sa.Date(), nullable=True),
        sa.Column("invoice_ids", shared_db.JSONColumn, nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("promises_to_pay", schema=None) as batch_op:
        batch_op.create_index("ix_promises_customer", ["customer_id", "promised_on"], unique=False)

    op.create_table(
        "unbilled_tickets",
        sa.Column("ticket_id", sa.Uuid(), nullable=False),
        sa.Column("ticket_number", sa.String(length=100), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("business_district", sa.String(length=50), nullable=False),
        sa.Column("sales_rep", sa.String(length=100), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=False),
        sa.Column("amount", shared_db.DecimalType(), nullable=False),
        sa.Column("invoice_id", sa.Uuid(), nullable=True),
        sa.Column("invoiced_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("ticket_id"),
    )
    with op.batch_alter_table("unbilled_tickets", schema=None) as batch_op:
        batch_op.create_index("ix_unbilled_open", ["invoiced_on", "closed_on"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("unbilled_tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_unbilled_open")

    op.drop_table("unbilled_tickets")
    with op.batch_alter_table("promises_to_pay", schema=None) as batch_op:
        batch_op.drop_index("ix_promises_customer")

    op.drop_table("promises_to_pay")
    with op.batch_alter_table("ledger_parked_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_parked_entries_item_id"))

    op.drop_table("ledger_parked_entries")
    with op.batch_alter_table("ledger_items", schema=None) as batch_op:
        batch_op.drop_index("ix_ledger_items_customer")

    op.drop_table("ledger_items")
    op.drop_table("ledger_event_log")
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_ledger_entries_item")
        batch_op.drop_index("ix_ledger_entries_date")
        batch_op.drop_index("ix_ledger_entries_customer")

    op.drop_table("ledger_entries")
    with op.batch_alter_table("journal_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_journal_lines_account")

    op.drop_table("journal_lines")
    with op.batch_alter_table("dunning_notices", schema=None) as batch_op:
        batch_op.drop_index("ix_dunning_customer")

    op.drop_table("dunning_notices")
    with op.batch_alter_table("disputes", schema=None) as batch_op:
        batch_op.drop_index("ix_disputes_customer")

    op.drop_table("disputes")
    with op.batch_alter_table("collection_activities", schema=None) as batch_op:
        batch_op.drop_index("ix_activities_customer")

    op.drop_table("collection_activities")
    op.drop_table("aging_positions")
