"""assets on rent: the asset register and its dated events, rental contracts, lines, charges

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 11:40:00.000000
"""

import sqlalchemy as sa
from alembic import op

from shared import db as shared_db

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rental_assets",
        sa.Column("asset_id", sa.String(length=50), nullable=False),
        sa.Column("serial", sa.String(length=100), nullable=True),
        sa.Column("asset_class", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("owning_district", sa.String(length=50), nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.Column("created_at", shared_db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("asset_id"),
    )
    op.create_index("ix_rental_assets_asset_class", "rental_assets", ["asset_class"])
    op.create_index("ix_rental_assets_owning_district", "rental_assets", ["owning_district"])
    op.create_table(
        "rental_asset_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("asset_id", sa.String(length=50), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("district", sa.String(length=50), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=True),
        sa.Column("job_site", sa.String(length=200), nullable=True),
        sa.Column("contract_id", sa.Uuid(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", shared_db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["asset_id"], ["rental_assets.asset_id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("asset_id", "sequence"),
    )
    op.create_index("ix_rental_asset_events_asset_id", "rental_asset_events", ["asset_id"])
    op.create_index("ix_rental_asset_events_customer_id", "rental_asset_events", ["customer_id"])
    op.create_index("ix_rental_asset_events_effective_on", "rental_asset_events", ["effective_on"])

    op.create_table(
        "rental_contracts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("contract_number", sa.String(length=50), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("business_district", sa.String(length=50), nullable=False),
        sa.Column("job_site", sa.String(length=200), nullable=False),
        sa.Column("job_site_address", shared_db.JSONColumn, nullable=True),
        sa.Column("po_number", sa.String(length=50), nullable=True),
        sa.Column("sales_rep", sa.String(length=100), nullable=True),
        sa.Column("cycle", sa.String(length=30), nullable=False),
        sa.Column("timing", sa.String(length=10), nullable=False),
        sa.Column("damage_waiver_percent", shared_db.DecimalType(9, 4), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", shared_db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("contract_number"),
    )
    op.create_index("ix_rental_contracts_customer_id", "rental_contracts", ["customer_id"])
    op.create_index(
        "ix_rental_contracts_business_district", "rental_contracts", ["business_district"]
    )
    money = shared_db.DecimalType()
    op.create_table(
        "rental_lines",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("contract_id", sa.Uuid(), nullable=False),
        sa.Column("line_number", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.String(length=50), nullable=True),
        sa.Column("asset_class", sa.String(length=100), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("daily", money, nullable=True),
        sa.Column("weekly", money, nullable=True),
        sa.Column("four_weeks", money, nullable=True),
        sa.Column("monthly", money, nullable=True),
        sa.Column("minimum", money, nullable=False),
        sa.Column("month_days", sa.Integer(), nullable=False),
        sa.Column("delivery_charge", money, nullable=False),
        sa.Column("pickup_charge", money, nullable=False),
        sa.Column("environmental_fee", money, nullable=False),
        sa.Column("meter", shared_db.JSONColumn, nullable=True),
        sa.Column("meter_hours", money, nullable=True),
        sa.Column("on_rent_date", sa.Date(), nullable=True),
        sa.Column("off_rent_date", sa.Date(), nullable=True),
        sa.Column("settled", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["contract_id"], ["rental_contracts.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("contract_id", "line_number"),
    )
    op.create_index("ix_rental_lines_contract_id", "rental_lines", ["contract_id"])
    op.create_index("ix_rental_lines_asset_id", "rental_lines", ["asset_id"])
    op.create_index("ix_rental_lines_on_rent_date", "rental_lines", ["on_rent_date"])
    op.create_table(
        "rental_charges",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("line_id", sa.Uuid(), nullable=False),
        sa.Column("contract_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("cycle_number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("amount", money, nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.Column("billed_through", sa.Date(), nullable=False),
        sa.Column("invoice_id", sa.Uuid(), nullable=True),
        sa.Column("credit_memo_id", sa.Uuid(), nullable=True),
        sa.Column("billing_run_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", shared_db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["line_id"], ["rental_lines.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("line_id", "cycle_number", "kind"),
    )
    op.create_index("ix_rental_charges_line_id", "rental_charges", ["line_id"])
    op.create_index("ix_rental_charges_contract_id", "rental_charges", ["contract_id"])
    op.create_index("ix_rental_charges_customer_id", "rental_charges", ["customer_id"])
    op.create_index("ix_rental_charges_invoice_id", "rental_charges", ["invoice_id"])

    op.create_table(
        "storage_schedules",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("business_district", sa.String(length=50), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("job_site", sa.String(length=200), nullable=True),
        sa.Column("po_number", sa.String(length=50), nullable=True),
        sa.Column("period", sa.String(length=20), nullable=False),
        sa.Column("timing", sa.String(length=10), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=True),
        sa.Column("units", money, nullable=True),
        sa.Column("prices", shared_db.JSONColumn, nullable=False),
        sa.Column("pauses", shared_db.JSONColumn, nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", shared_db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_storage_schedules_customer_id", "storage_schedules", ["customer_id"])
    op.create_index(
        "ix_storage_schedules_business_district", "storage_schedules", ["business_district"]
    )
    op.create_table(
        "storage_charges",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("schedule_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("period_number", sa.Integer(), nullable=False),
        sa.Column("amount", money, nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("invoice_id", sa.Uuid(), nullable=True),
        sa.Column("billing_run_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", shared_db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["schedule_id"], ["storage_schedules.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("schedule_id", "period_number"),
    )
    op.create_index("ix_storage_charges_schedule_id", "storage_charges", ["schedule_id"])
    op.create_index("ix_storage_charges_customer_id", "storage_charges", ["customer_id"])
    op.create_index("ix_storage_charges_invoice_id", "storage_charges", ["invoice_id"])


def downgrade() -> None:
    op.drop_table("storage_charges")
    op.drop_table("storage_schedules")
    op.drop_table("rental_charges")
    op.drop_table("rental_lines")
    op.drop_table("rental_contracts")
    op.drop_table("rental_asset_events")
    op.drop_table("rental_assets")
