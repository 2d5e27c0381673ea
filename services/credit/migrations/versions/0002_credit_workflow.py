"""credit workflow

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 05:37:50.229186
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
        "bureau_reports",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(length=50), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("payment_index", sa.Integer(), nullable=True),
        sa.Column("derogatory_items", sa.Integer(), nullable=True),
        sa.Column("reported_on", sa.Date(), nullable=True),
        sa.Column("reference", sa.String(length=200), nullable=True),
        sa.Column("document_name", sa.String(length=255), nullable=True),
        sa.Column("document", sa.LargeBinary(), nullable=True),
        sa.Column("raw", shared_db.JSONColumn, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("pulled_by", sa.String(length=200), nullable=False),
        sa.Column("pulled_at", shared_db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("bureau_reports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_bureau_reports_customer_id"), ["customer_id"], unique=False
        )

    op.create_table(
        "credit_applications",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("business", shared_db.JSONColumn, nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("requested_limit", shared_db.DecimalType(), nullable=False),
        sa.Column("requested_terms", shared_db.JSONColumn, nullable=False),
        sa.Column("trade_references", shared_db.JSONColumn, nullable=False),
        sa.Column("bank_references", shared_db.JSONColumn, nullable=False),
        sa.Column("documents", shared_db.JSONColumn, nullable=False),
        sa.Column("submitted_by", sa.String(length=200), nullable=False),
        sa.Column("submitted_at", shared_db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reviewer", sa.String(length=200), nullable=True),
        sa.Column("approved_limit", shared_db.DecimalType(), nullable=True),
        sa.Column("approved_terms", shared_db.JSONColumn, nullable=True),
        sa.Column("conditions", sa.Text(), nullable=True),
        sa.Column("decline_reasons", shared_db.JSONColumn, nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decided_at", shared_db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("credit_applications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_credit_applications_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_credit_applications_status"), ["status"], unique=False)

    op.create_table(
        "credit_holds",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("automatic", sa.Boolean(), nullable=False),
        sa.Column("reasons", shared_db.JSONColumn, nullable=False),
        sa.Column("placed_by", sa.String(length=200), nullable=False),
        sa.Column("placed_at", shared_db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("released_at", shared_db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("released_by", sa.String(length=200), nullable=True),
        sa.Column("release_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("credit_holds", schema=None) as batch_op:
        batch_op.create_index("ix_credit_holds_open", ["customer_id", "released_at"], unique=False)

    op.create_table(
        "credit_lines",
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("credit_limit", shared_db.DecimalType(), nullable=False),
        sa.Column("terms", shared_db.JSONColumn, nullable=False),
        sa.Column("review_on", sa.Date(), nullable=True),
        sa.Column("approved_by", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changed_at", shared_db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("customer_id"),
    )
    with op.batch_alter_table("credit_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credit_lines_review_on"), ["review_on"], unique=False)

    op.create_table(
        "order_authorizations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("amount", shared_db.DecimalType(), nullable=False),
        sa.Column("order_ref", sa.String(length=100), nullable=True),
        sa.Column("approved", sa.Boolean(), nullable=False),
        sa.Column("reasons", shared_db.JSONColumn, nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("requested_at", shared_db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("billed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("order_authorizations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_order_authorizations_open", ["customer_id", "approved", "billed"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_order_authorizations_order_ref"), ["order_ref"], unique=False
        )

    op.create_table(
        "receivable_items",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("number", sa.String(length=50), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("document_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("amount", shared_db.DecimalType(), nullable=False),
        sa.Column("balance", shared_db.DecimalType(), nullable=False),
        sa.Column("is_open", sa.Boolean(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("voided", sa.Boolean(), nullable=False),
        sa.Column("reversed_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("receivable_items", schema=None) as batch_op:
        batch_op.create_index("ix_receivable_items_open", ["customer_id", "is_open"], unique=False)

    op.create_table(
        "reference_checks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("application_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("reference_name", sa.String(length=200), nullable=False),
        sa.Column("contact", sa.String(length=200), nullable=False),
        sa.Column("called_on", sa.Date(), nullable=False),
        sa.Column("highest_credit", shared_db.DecimalType(), nullable=True),
        sa.Column("terms", sa.String(length=100), nullable=True),
        sa.Column("days_beyond_terms", sa.Integer(), nullable=True),
        sa.Column("comments", sa.Text(), nullable=True),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", shared_db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("reference_checks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reference_checks_application_id"), ["application_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_reference_checks_customer_id"), ["customer_id"], unique=False
        )

    op.create_table(
        "unbilled_tickets",
        sa.Column("ticket_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("ticket_number", sa.String(length=50), nullable=False),
        sa.Column("amount", shared_db.DecimalType(), nullable=False),
        sa.Column("closed_at", shared_db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("invoice_id", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("ticket_id"),
    )
    with op.batch_alter_table("unbilled_tickets", schema=None) as batch_op:
        batch_op.create_index(
            "ix_unbilled_tickets_customer", ["customer_id", "invoice_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("unbilled_tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_unbilled_tickets_customer")

    op.drop_table("unbilled_tickets")
    with op.batch_alter_table("reference_checks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reference_checks_customer_id"))
        batch_op.drop_index(batch_op.f("ix_reference_checks_application_id"))

    op.drop_table("reference_checks")
    with op.batch_alter_table("receivable_items", schema=None) as batch_op:
        batch_op.drop_index("ix_receivable_items_open")

    op.drop_table("receivable_items")
    with op.batch_alter_table("order_authorizations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_authorizations_order_ref"))
        batch_op.drop_index("ix_order_authorizations_open")

    op.drop_table("order_authorizations")
    with op.batch_alter_table("credit_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_lines_review_on"))

    op.drop_table("credit_lines")
    with op.batch_alter_table("credit_holds", schema=None) as batch_op:
        batch_op.drop_index("ix_credit_holds_open")

    op.drop_table("credit_holds")
    with op.batch_alter_table("credit_applications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_applications_status"))
        batch_op.drop_index(batch_op.f("ix_credit_applications_customer_id"))

    op.drop_table("credit_applications")
    with op.batch_alter_table("bureau_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bureau_reports_customer_id"))

    op.drop_table("bureau_reports")
