"""assets on rent: the asset register and its dated events

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


def downgrade() -> None:
    op.drop_table("rental_asset_events")
    op.drop_table("rental_assets")
