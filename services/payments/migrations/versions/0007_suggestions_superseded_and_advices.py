"""suggestions superseded with a reason

Revision ID: 0007
Revises: 0004
Create Date: 2026-12-07 11:50:00.000000
"""

import json
import uuid

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0004"
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


def downgrade() -> None:
    op.drop_index(op.f("ix_suggestion_invoices_invoice_id"), table_name="suggestion_invoices")
    op.drop_table("suggestion_invoices")
    with op.batch_alter_table("suggestions", schema=None) as batch_op:
        batch_op.drop_column("superseded_reason")
