"""rentals: an index for each asset's change in effect on a day (by date, then sequence)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 16:50:00.000000
"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rental_asset_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_rental_asset_events_in_effect", ["asset_id", "effective_on", "sequence"]
        )


def downgrade() -> None:
    with op.batch_alter_table("rental_asset_events", schema=None) as batch_op:
        batch_op.drop_index("ix_rental_asset_events_in_effect")
