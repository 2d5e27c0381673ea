"""gl batches, and the jurisdiction and event of each journal posting

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 11:50:00.000000
"""

import sqlalchemy as sa
from alembic import op

from shared import db as shared_db

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("journal_lines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("jurisdiction", sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column("event_id", sa.Uuid(), nullable=True))
    op.create_table(
        "gl_batches",
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("label", sa.String(length=10), nullable=False),
        sa.Column("through", sa.Date(), nullable=False),
        sa.Column("postings", sa.Integer(), nullable=False),
        sa.Column("exported_by", sa.String(length=200), nullable=False),
        sa.Column("exported_at", shared_db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("number"),
    )
    op.create_table(
        "gl_batch_postings",
        sa.Column("entry_id", sa.Uuid(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("batch_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("entry_id", "line_no"),
    )
    op.create_index("ix_gl_batch_postings_batch", "gl_batch_postings", ["batch_number"])


def downgrade() -> None:
    op.drop_index("ix_gl_batch_postings_batch", table_name="gl_batch_postings")
    op.drop_table("gl_batch_postings")
    op.drop_table("gl_batches")
    with op.batch_alter_table("journal_lines", schema=None) as batch_op:
        batch_op.drop_column("event_id")
        batch_op.drop_column("jurisdiction")
