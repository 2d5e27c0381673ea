"""duplicate keys: each customer's legal name as duplicates are compared

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07 09:25:00.000000
"""

import sqlalchemy as sa
from alembic import op

from services.customers.domain import name_key

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("name_key", sa.String(length=200), nullable=False, server_default="")
        )
    customers = sa.table(
        "customers", sa.column("id", sa.Uuid()), sa.column("legal_name"), sa.column("name_key")
    )
    connection = op.get_bind()
    for customer_id, legal_name in connection.execute(
        sa.select(customers.c.id, customers.c.legal_name)
    ).all():
        connection.execute(
            customers.update()
            .where(customers.c.id == customer_id)
            .values(name_key=name_key(legal_name))
        )
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.alter_column("name_key", server_default=None)
        batch_op.create_index(batch_op.f("ix_customers_name_key"), ["name_key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customers_name_key"))
        batch_op.drop_column("name_key")
