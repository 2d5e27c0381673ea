"""suggestions superseded with a reason; remittance advices and their documents

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 11:50:00.000000
"""

import json
import uuid

import sqlalchemy as sa
from alembic import op

from shared import db as shared_db

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("suggestions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("superseded_reason", sa.Text(), nullable=True))
    links = op.create_table(
        "suggestion_invoices",
        sa.Column("suggestion_id", sa.Uuid(), nullable=False),
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["suggestion_id"], ["suggestions.id"]),
        sa.PrimaryKeyConstraint("suggestion_id", "invoice_id"),
    )
    op.create_index(
        op.f("ix_suggestion_invoices_invoice_id"), "suggestion_invoices", ["invoice_id"]
    )
    # Suggestions already waiting name their invoices only in the proposal.
    pending = op.get_bind().execute(
        sa.text("SELECT id, proposal FROM suggestions WHERE status = 'pending'")
    )
    rows = []
    for suggestion_id, proposal in pending:
        lines = json.loads(proposal) if isinstance(proposal, str) else proposal
        rows += [
            {"suggestion_id": uuid.UUID(str(suggestion_id)), "invoice_id": uuid.UUID(invoice_id)}
            for invoice_id in {line["invoice_id"] for line in lines}
        ]
    if rows:
        op.bulk_insert(links, rows)
    op.create_table(
        "advice_documents",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("format", sa.String(length=20), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("parts", shared_db.JSONColumn, nullable=False),
        sa.Column("problems", shared_db.JSONColumn, nullable=False),
        sa.Column("received_by", sa.String(length=200), nullable=False),
        sa.Column("received_at", shared_db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sha256"),
    )
    op.create_table(
        "remittance_advices",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=True),
        sa.Column("payer_name", sa.String(length=200), nullable=True),
        sa.Column("sender", sa.String(length=320), nullable=True),
        sa.Column("subject", sa.String(length=500), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("total", shared_db.DecimalType(), nullable=True),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=True),
        sa.Column("lines", shared_db.JSONColumn, nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("payment_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", shared_db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["advice_documents.id"]),
        sa.ForeignKeyConstraint(["payment_id"], ["payments.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("document_id", "customer_id", "total", "reference", "status", "payment_id"):
        op.create_index(f"ix_remittance_advices_{column}", "remittance_advices", [column])


def downgrade() -> None:
    for column in ("document_id", "customer_id", "total", "reference", "status", "payment_id"):
        op.drop_index(f"ix_remittance_advices_{column}", table_name="remittance_advices")
    op.drop_table("remittance_advices")
    op.drop_table("advice_documents")
    op.drop_index(op.f("ix_suggestion_invoices_invoice_id"), table_name="suggestion_invoices")
    op.drop_table("suggestion_invoices")
    with op.batch_alter_table("suggestions", schema=None) as batch_op:
        batch_op.drop_column("superseded_reason")
