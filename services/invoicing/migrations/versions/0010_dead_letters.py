"""dead letters kept in the service's database (embedded mode)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 11:45:00.000000
"""

from shared.tables import create_dead_letters, drop_dead_letters

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_dead_letters()


def downgrade() -> None:
    drop_dead_letters()
