"""Every read of the customers tables, for the routes and the commands."""

import uuid
from collections.abc import Sequence

from sqlalchemy import Select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.customers.models import Customer, CustomerDocument
from shared.api.problems import NotFound
from shared.db import text_search


async def get_customer(
    session: AsyncSession, customer_id: uuid.UUID, *, lock: bool = False
) -> Customer:
    statement = select(Customer).where(Customer.id == customer_id)
    if lock:
        statement = statement.with_for_update()
    customer = (await session.exec(statement)).first()
    if customer is None:
        raise NotFound(f"no customer {customer_id}")
    return customer


async def find_by_external_ref(session: AsyncSession, external_ref: str) -> Customer | None:
    return (
        await session.exec(select(Customer).where(Customer.external_ref == external_ref))
    ).first()


async def get_document(
    session: AsyncSession, customer_id: uuid.UUID, document_id: uuid.UUID
) -> CustomerDocument:
    document = await session.get(CustomerDocument, document_id)
    if document is None or document.customer_id != customer_id:
        raise NotFound(f"no document {document_id} on customer {customer_id}")
    return document


async def documents_of(session: AsyncSession, customer_id: uuid.UUID) -> Sequence[CustomerDocument]:
    """The customer's documents, oldest first."""
    statement = (
        select(CustomerDocument)
        .where(CustomerDocument.customer_id == customer_id)
        .order_by(col(CustomerDocument.uploaded_at))
    )
    return (await session.exec(statement)).all()


def search_customers(
    *,
    status: str | None = None,
    business_district: str | None = None,
    sales_rep: str | None = None,
    credit_hold: bool | None = None,
    currency: str | None = None,
    q: str | None = None,
) -> Select:  # type: ignore[type-arg]
    """Customers matching every filter given; `q` searches names, account number and tax id."""
    statement = select(Customer)
    for column, value in (
        (Customer.status, status),
        (Customer.business_district, business_district),
        (Customer.sales_rep, sales_rep),
        (Customer.credit_hold, credit_hold),
        (Customer.currency, currency),
    ):
        if value is not None:
            statement = statement.where(column == value)
    if q:
        statement = statement.where(
            text_search(
                q,
                Customer.legal_name,
                Customer.dba,
                Customer.account_number,
                Customer.tax_id,
                Customer.external_ref,
            )
        )
    return statement
