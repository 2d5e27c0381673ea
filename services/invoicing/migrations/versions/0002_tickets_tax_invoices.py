"""tickets tax invoices

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 05:39:26.116053
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
        "billing_runs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("districts", shared_db.JSONColumn, nullable=False),
        sa.Column("cut_off", sa.Date(), nullable=False),
        sa.Column("invoice_date", sa.Date(), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("draft_count", sa.Integer(), nullable=False),
        sa.Column("ticket_count", sa.Integer(), nullable=False),
        sa.Column("exceptions", shared_db.JSONColumn, nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", shared_db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("issued_at", shared_db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "invoices",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.String(length=50), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("customer_name", sa.String(length=200), nullable=False),
        sa.Column("account_number", sa.String(length=20), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("invoice_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("discount_due_date", sa.Date(), nullable=True),
        sa.Column("discount_amount", shared_db.DecimalType(), nullable=True),
        sa.Column("terms", shared_db.JSONColumn, nullable=False),
        sa.Column("business_district", sa.String(length=50), nullable=False),
        sa.Column("sales_rep", sa.String(length=100), nullable=True),
        sa.Column("po_number", sa.String(length=50), nullable=True),
        sa.Column("job_site", sa.String(length=200), nullable=True),
        sa.Column("bill_to", shared_db.JSONColumn, nullable=True),
        sa.Column("ticket_ids", shared_db.JSONColumn, nullable=False),
        sa.Column("lines", shared_db.JSONColumn, nullable=False),
        sa.Column("taxes", shared_db.JSONColumn, nullable=False),
        sa.Column("subtotal", shared_db.DecimalType(), nullable=False),
        sa.Column("tax_total", shared_db.DecimalType(), nullable=False),
        sa.Column("total", shared_db.DecimalType(), nullable=False),
        sa.Column("credited", shared_db.DecimalType(), nullable=False),
        sa.Column("paid", shared_db.DecimalType(), nullable=False),
        sa.Column("imported", sa.Boolean(), nullable=False),
        sa.Column("rebill_of", sa.Uuid(), nullable=True),
        sa.Column("billing_run_id", sa.Uuid(), nullable=True),
        sa.Column("delivery_method", sa.String(length=20), nullable=False),
        sa.Column("delivery_status", sa.String(length=20), nullable=False),
        sa.Column("delivered_at", shared_db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("delivery_detail", sa.String(length=1000), nullable=True),
        sa.Column("voided_on", sa.Date(), nullable=True),
        sa.Column("void_reason", sa.String(length=500), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", shared_db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("issued_at", shared_db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_invoices_billing_run_id"), ["billing_run_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_invoices_business_district"), ["business_district"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_invoices_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_invoices_invoice_date"), ["invoice_date"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_invoices_status"), ["status"], unique=False)

    op.create_table(
        "journal_entries",
        sa.Column("entry_id", sa.Uuid(), nullable=False),
        sa.Column("posted_on", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("document_number", sa.String(length=50), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("entry", shared_db.JSONColumn, nullable=False),
        sa.Column("created_at", shared_db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("entry_id"),
    )
    with op.batch_alter_table("journal_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_journal_entries_document_id"), ["document_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_journal_entries_posted_on"), ["posted_on"], unique=False
        )

    op.create_table(
        "rate_card_prices",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_key", sa.String(length=40), nullable=False),
        sa.Column("rate_code", sa.String(length=50), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("unit_price", shared_db.DecimalType(19, 6), nullable=False),
        sa.Column("updated_at", shared_db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("customer_key", "rate_code"),
    )
    op.create_table(
        "tax_jurisdictions",
        sa.Column("code", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("region", sa.String(length=10), nullable=False),
        sa.Column("county", sa.String(length=100), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=True),
        sa.Column("postal_codes", shared_db.JSONColumn, nullable=False),
        sa.Column("taxable_classes", shared_db.JSONColumn, nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "tickets",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("source_system", sa.String(length=50), nullable=False),
        sa.Column("ticket_number", sa.String(length=50), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("business_district", sa.String(length=50), nullable=False),
        sa.Column("sales_rep", sa.String(length=100), nullable=True),
        sa.Column("job_site", sa.String(length=200), nullable=True),
        sa.Column("job_site_address", shared_db.JSONColumn, nullable=True),
        sa.Column("po_number", sa.String(length=50), nullable=True),
        sa.Column("service_start", sa.Date(), nullable=True),
        sa.Column("service_end", sa.Date(), nullable=True),
        sa.Column("closed_at", shared_db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("lines", shared_db.JSONColumn, nullable=False),
        sa.Column("amount", shared_db.DecimalType(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("hold_reasons", shared_db.JSONColumn, nullable=False),
        sa.Column("released_by", sa.String(length=200), nullable=True),
        sa.Column("release_reason", sa.String(length=500), nullable=True),
        sa.Column("invoice_id", sa.Uuid(), nullable=True),
        sa.Column("received_at", shared_db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_system", "ticket_number"),
    )
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tickets_business_district"), ["business_district"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_tickets_closed_at"), ["closed_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_tickets_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tickets_invoice_id"), ["invoice_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tickets_status"), ["status"], unique=False)

    op.create_table(
        "credit_memos",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.String(length=50), nullable=False),
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("reason_code", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=True),
        sa.Column("rebill", sa.Boolean(), nullable=False),
        sa.Column("lines", shared_db.JSONColumn, nullable=False),
        sa.Column("taxes", shared_db.JSONColumn, nullable=False),
        sa.Column("subtotal", shared_db.DecimalType(), nullable=False),
        sa.Column("tax_total", shared_db.DecimalType(), nullable=False),
        sa.Column("total", shared_db.DecimalType(), nullable=False),
        sa.Column("approved_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", shared_db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    with op.batch_alter_table("credit_memos", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_credit_memos_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_credit_memos_invoice_id"), ["invoice_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_credit_memos_issued_on"), ["issued_on"], unique=False)

    op.create_table(
        "tax_rates",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("jurisdiction_code", sa.String(length=50), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("rate", shared_db.DecimalType(9, 6), nullable=False),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["tax_jurisdictions.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("jurisdiction_code", "effective_from"),
    )
    with op.batch_alter_table("tax_rates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tax_rates_jurisdiction_code"), ["jurisdiction_code"], unique=False
        )

    op.create_table(
        "ticket_documents",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("ticket_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=50), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=200), nullable=False),
        sa.Column("uploaded_at", shared_db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("ticket_documents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ticket_documents_ticket_id"), ["ticket_id"], unique=False
        )

    with op.batch_alter_table("billing_accounts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("contacts", shared_db.JSONColumn, server_default="[]", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("billing_accounts", schema=None) as batch_op:
        batch_op.drop_column("contacts")

    with op.batch_alter_table("ticket_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ticket_documents_ticket_id"))

    op.drop_table("ticket_documents")
    with op.batch_alter_table("tax_rates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tax_rates_jurisdiction_code"))

    op.drop_table("tax_rates")
    with op.batch_alter_table("credit_memos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_memos_issued_on"))
        batch_op.drop_index(batch_op.f("ix_credit_memos_invoice_id"))
        batch_op.drop_index(batch_op.f("ix_credit_memos_customer_id"))

    op.drop_table("credit_memos")
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tickets_status"))
        batch_op.drop_index(batch_op.f("ix_tickets_invoice_id"))
        batch_op.drop_index(batch_op.f("ix_tickets_customer_id"))
        batch_op.drop_index(batch_op.f("ix_tickets_closed_at"))
        batch_op.drop_index(batch_op.f("ix_tickets_business_district"))

    op.drop_table("tickets")
    op.drop_table("tax_jurisdictions")
    op.drop_table("rate_card_prices")
    with op.batch_alter_table("journal_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_journal_entries_posted_on"))
        batch_op.drop_index(batch_op.f("ix_journal_entries_document_id"))

    op.drop_table("journal_entries")
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invoices_status"))
        batch_op.drop_index(batch_op.f("ix_invoices_invoice_date"))
        batch_op.drop_index(batch_op.f("ix_invoices_customer_id"))
        batch_op.drop_index(batch_op.f("ix_invoices_business_district"))
        batch_op.drop_index(batch_op.f("ix_invoices_billing_run_id"))

    op.drop_table("invoices")
    op.drop_table("billing_runs")
