"""rentals: an index for each asset's change in effect on a day (by date, then sequence);
a contract's proration of a partial first cycle and of the cycle a line comes back inside;
a storage period's credit when its schedule ends inside it

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 16:50:00.000000
"""

import sqlalchemy as sa
from alembic import op

from shared import db as shared_db

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rental_asset_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_rental_asset_events_in_effect", ["asset_id", "effective_on", "sequence"]
        )
    with op.batch_alter_table("rental_contracts", schema=None) as batch_op:
        for name in ("proration_start", "proration_end"):
            batch_op.add_column(
                sa.Column(name, sa.String(length=20), nullable=False, server_default="rate_engine")
            )

    with op.batch_alter_table("storage_charges", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("credited", shared_db.DecimalType(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("credit_memo_id", sa.Uuid(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("storage_charges", schema=None) as batch_op:
        batch_op.drop_column("credit_memo_id")
        batch_op.drop_column("credited")
    with op.batch_alter_table("rental_contracts", schema=None) as batch_op:
        batch_op.drop_column("proration_end")
        batch_op.drop_column("proration_start")
    with op.batch_alter_table("rental_asset_events", schema=None) as batch_op:
        batch_op.drop_index("ix_rental_asset_events_in_effect")
