"""gl batch lines: each batch's summary kept with it; the index of postings by batch dropped

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-07 17:00:00.000000
"""

from collections import defaultdict
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

from shared import db as shared_db

revision = "0014"
down_revision = "0012"
branch_labels = None
depends_on = None

_SUMMARY = """
SELECT p.batch_number, j.currency, j.account, COALESCE(j.business_district, '') AS department,
       j.debit, j.credit
FROM gl_batch_postings p
JOIN journal_lines j ON j.entry_id = p.entry_id AND j.line_no = p.line_no
"""


def upgrade() -> None:
    lines = op.create_table(
        "gl_batch_lines",
        sa.Column("batch_number", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("account", sa.String(length=50), nullable=False),
        sa.Column("department", sa.String(length=50), nullable=False),
        sa.Column("debit", shared_db.DecimalType(), nullable=False),
        sa.Column("credit", shared_db.DecimalType(), nullable=False),
        sa.Column("postings", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("batch_number", "currency", "account", "department"),
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(
            "INSERT INTO gl_batch_lines SELECT batch_number, currency, account, department, "
            f"SUM(debit), SUM(credit), COUNT(*) FROM ({_SUMMARY}) AS postings GROUP BY 1, 2, 3, 4"
        )
    else:
        # SQLite keeps money as text: summed as Decimals here (an embedded ledger is small).
        sums: dict[tuple[int, str, str, str], list[Decimal | int]] = defaultdict(
            lambda: [Decimal(0), Decimal(0), 0]
        )
        for number, currency, account, department, debit, credit in bind.execute(sa.text(_SUMMARY)):
            line = sums[(number, currency, account, department)]
            line[0] += Decimal(debit)
            line[1] += Decimal(credit)
            line[2] += 1
        if sums:
            op.bulk_insert(
                lines,
                [
                    {
                        "batch_number": key[0],
                        "currency": key[1],
                        "account": key[2],
                        "department": key[3],
                        "debit": debit,
                        "credit": credit,
                        "postings": count,
                    }
                    for key, (debit, credit, count) in sums.items()
                ],
            )
    op.drop_index("ix_gl_batch_postings_batch", table_name="gl_batch_postings")


def downgrade() -> None:
    op.create_index("ix_gl_batch_postings_batch", "gl_batch_postings", ["batch_number"])
    op.drop_table("gl_batch_lines")
