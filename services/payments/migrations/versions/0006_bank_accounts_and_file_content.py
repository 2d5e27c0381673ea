"""bank accounts on payments, reversal reasons, file content keys and reversals

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 12:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

from shared import db as shared_db

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# SQLite names the file hash's unique constraint only through this convention.
_SQLITE_NAMES = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _unique_name() -> str:
    sqlite = op.get_bind().dialect.name == "sqlite"
    return "uq_bank_files_sha256" if sqlite else "bank_files_sha256_key"


def upgrade() -> None:
    with op.batch_alter_table("payments") as batch:
        batch.add_column(sa.Column("bank_account", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("reversal_reason", sa.String(length=500), nullable=True))
    with op.batch_alter_table("bank_files", naming_convention=_SQLITE_NAMES) as batch:
        # A file that recorded nothing may be sent again, so the same hash may be stored twice.
        batch.drop_constraint(_unique_name(), type_="unique")
        batch.add_column(sa.Column("content_key", sa.String(length=64), nullable=True))
        batch.add_column(
            sa.Column("reversals", shared_db.JSONColumn, nullable=False, server_default="[]")
        )
        batch.create_index("ix_bank_files_sha256", ["sha256"])
        batch.create_index("ix_bank_files_content_key", ["content_key"])


def downgrade() -> None:
    with op.batch_alter_table("bank_files", naming_convention=_SQLITE_NAMES) as batch:
        batch.drop_index("ix_bank_files_content_key")
        batch.drop_index("ix_bank_files_sha256")
        batch.drop_column("reversals")
        batch.drop_column("content_key")
        batch.create_unique_constraint(_unique_name(), ["sha256"])
    with op.batch_alter_table("payments") as batch:
        batch.drop_column("reversal_reason")
        batch.drop_column("bank_account")
