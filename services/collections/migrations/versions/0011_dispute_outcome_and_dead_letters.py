"""dispute outcome (whom a resolved dispute was settled for); dead letters kept in the service's
database (embedded mode)

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-07 11:40:00.000000
"""

import sqlalchemy as sa
from alembic import op

from shared.tables import create_dead_letters, drop_dead_letters

revision = "0011"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("disputes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outcome", sa.String(length=20), nullable=True))
    create_dead_letters()


def downgrade() -> None:
    drop_dead_letters()
    with op.batch_alter_table("disputes", schema=None) as batch_op:
        batch_op.drop_column("outcome")
