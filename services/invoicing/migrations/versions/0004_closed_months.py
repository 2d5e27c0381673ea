"""closed months

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 09:20:00.000000
"""

from shared.tables import create_closed_months, drop_closed_months

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_closed_months()


def downgrade() -> None:
    drop_closed_months()
