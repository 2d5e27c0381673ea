"""customer master

Revision ID: 0001
Revises:
Create Date: 2026-11-23 05:21:28.848141
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
        "customers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("account_number", sa.String(length=20), nullable=False),
        sa.Column("external_ref", sa.String(length=100), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("legal_name", sa.String(length=200), nullable=False),
        sa.Column("dba", sa.String(length=200), nullable=True),
        sa.Column("tax_id", sa.String(length=20), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("credit_hold", sa.Boolean(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("business_district", sa.String(length=50), nullable=False),
        sa.Column("sales_rep", sa.String(length=100), nullable=True),
        sa.Column("payment_terms", shared_db.JSONColumn, nullable=False),
        sa.Column("billing_profile", shared_db.JSONColumn, nullable=False),
        sa.Column("created_at", shared_db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", shared_db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("account_number"),
        sa.UniqueConstraint("external_ref"),
    )
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customers_business_district"), ["business_district"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_customers_credit_hold"), ["credit_hold"], unique=False)
        batch_op.create_index(batch_op.f("ix_customers_legal_name"), ["legal_name"], unique=False)
        batch_op.create_index(batch_op.f("ix_customers_sales_rep"), ["sales_rep"], unique=False)
        batch_op.create_index(batch_op.f("ix_customers_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_customers_tax_id"), ["tax_id"], unique=False)

    op.create_table(
        "customer_addresses",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("line1", sa.String(length=200), nullable=False),
        sa.Column("line2", sa.String(length=200), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("county", sa.String(length=100), nullable=True),
        sa.Column("region", sa.String(length=50), nullable=False),
        sa.Column("postal_code", sa.String(length=20), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("created_at", shared_db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("customer_addresses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customer_addresses_customer_id"), ["customer_id"], unique=False
        )

    op.create_table(
        "customer_contacts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("role", sa.String(length=100), nullable=True),
        sa.Column("receives_invoices", sa.Boolean(), nullable=False),
        sa.Column("created_at", shared_db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("customer_contacts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customer_contacts_customer_id"), ["customer_id"], unique=False
        )

    op.create_table(
        "customer_documents",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=200), nullable=False),
        sa.Column("uploaded_at", shared_db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("customer_documents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customer_documents_customer_id"), ["customer_id"], unique=False
        )

    op.create_table(
        "exemption_certificates",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("jurisdiction", sa.String(length=50), nullable=False),
        sa.Column("certificate_number", sa.String(length=100), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("document_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", shared_db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["customer_documents.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("exemption_certificates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_exemption_certificates_customer_id"), ["customer_id"], unique=False
        )

    op.create_table(
        "onboarding_items",
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("item", sa.String(length=50), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("document_id", sa.Uuid(), nullable=True),
        sa.Column("updated_at", shared_db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["customer_documents.id"],
        ),
        sa.PrimaryKeyConstraint("customer_id", "item"),
    )


def downgrade() -> None:
    op.drop_table("onboarding_items")
    with op.batch_alter_table("exemption_certificates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exemption_certificates_customer_id"))

    op.drop_table("exemption_certificates")
    with op.batch_alter_table("customer_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_documents_customer_id"))

    op.drop_table("customer_documents")
    with op.batch_alter_table("customer_contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_contacts_customer_id"))

    op.drop_table("customer_contacts")
    with op.batch_alter_table("customer_addresses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_addresses_customer_id"))

    op.drop_table("customer_addresses")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customers_tax_id"))
        batch_op.drop_index(batch_op.f("ix_customers_status"))
        batch_op.drop_index(batch_op.f("ix_customers_sales_rep"))
        batch_op.drop_index(batch_op.f("ix_customers_legal_name"))
        batch_op.drop_index(batch_op.f("ix_customers_credit_hold"))
        batch_op.drop_index(batch_op.f("ix_customers_business_district"))

    op.drop_table("customers")
    drop_mechanism_tables()
