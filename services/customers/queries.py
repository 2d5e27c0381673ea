"""Every read of the customers tables, for the routes and the commands."""

import uuid
from collections.abc import Sequence

from sqlalchemy import Select, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.customers.domain import DuplicateMatch, address_key, name_key, similar_names
from services.customers.models import (
    Customer,
    CustomerAddress,
    CustomerChangeRequest,
    CustomerDocument,
    OpenInvoice,
)
from shared.api.problems import NotFound
from shared.auth import UNLIMITED, Scope
from shared.db import text_search
from shared.scoping import Reach

CUSTOMERS = Reach(customer=Customer.id, district=Customer.business_district)


async def get_customer(
    session: AsyncSession,
    customer_id: uuid.UUID,
    *,
    lock: bool = False,
    scope: Scope = UNLIMITED,
) -> Customer:
    """The customer, or a 404 when it is unknown or outside the caller's scope."""
    statement = select(Customer).where(Customer.id == customer_id)
    return await CUSTOMERS.one(
        session, statement, scope, missing=f"no customer {customer_id}", lock=lock
    )


async def find_by_external_ref(session: AsyncSession, external_ref: str) -> Customer | None:
    return (
        await session.exec(select(Customer).where(Customer.external_ref == external_ref))
    ).first()


async def get_change_request(
    session: AsyncSession, customer_id: uuid.UUID, request_id: uuid.UUID
) -> CustomerChangeRequest:
    request = await session.get(CustomerChangeRequest, request_id, with_for_update=True)
    if request is None or request.customer_id != customer_id:
        raise NotFound(f"no change request {request_id} on customer {customer_id}")
    return request


async def change_requests_of(
    session: AsyncSession, customer_id: uuid.UUID
) -> Sequence[CustomerChangeRequest]:
    """The customer's change requests, oldest first."""
    statement = (
        select(CustomerChangeRequest)
        .where(CustomerChangeRequest.customer_id == customer_id)
        .order_by(col(CustomerChangeRequest.requested_at), col(CustomerChangeRequest.id))
    )
    return (await session.exec(statement)).all()


async def open_invoices_in(
    session: AsyncSession, customer_id: uuid.UUID, currency: str
) -> Sequence[OpenInvoice]:
    """The customer's invoices in `currency` with something still open (owed, or credit left on
    them), by number."""
    statement = (
        select(OpenInvoice)
        .where(
            OpenInvoice.customer_id == customer_id,
            OpenInvoice.currency == currency,
            col(OpenInvoice.voided).is_(False),
        )
        .order_by(col(OpenInvoice.number))
    )
    # Compared as Decimals here: SQLite keeps them as text, which no number equals.
    return [item for item in (await session.exec(statement)).all() if item.balance != 0]


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
    scope: Scope = UNLIMITED,
    status: str | None = None,
    business_district: str | None = None,
    sales_rep: str | None = None,
    credit_hold: bool | None = None,
    currency: str | None = None,
    q: str | None = None,
) -> Select:  # type: ignore[type-arg]
    """Customers in scope matching every filter given; `q` searches names, account number and
    tax id."""
    statement = CUSTOMERS.filter(select(Customer), scope)
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


async def same_tax_id_or_name(
    session: AsyncSession, *, tax_id: str | None, name_key: str, other_than: uuid.UUID | None
) -> Sequence[Customer]:
    """Customers with this tax id or this name key, in account-number order."""
    same = [col(Customer.name_key) == name_key]
    if tax_id is not None:
        same.append(col(Customer.tax_id) == tax_id)
    statement = select(Customer).where(or_(*same)).order_by(col(Customer.account_number))
    if other_than is not None:
        statement = statement.where(Customer.id != other_than)
    return (await session.exec(statement)).all()


async def customers_with_tax_id(session: AsyncSession, tax_id: str) -> Sequence[uuid.UUID]:
    return (await session.exec(select(Customer.id).where(Customer.tax_id == tax_id))).all()


async def name_keys(session: AsyncSession, scope: Scope = UNLIMITED) -> dict[uuid.UUID, str]:
    """Every customer's name key in scope, for comparing a name with them all."""
    statement = CUSTOMERS.filter(select(Customer.id, Customer.name_key), scope)
    return dict((await session.exec(statement)).all())


async def addresses_in_zip(
    session: AsyncSession, zip5: str
) -> Sequence[tuple[uuid.UUID, str, str]]:
    """(customer, line 1, postal code) of every address whose postal code starts with `zip5`."""
    statement = select(
        CustomerAddress.customer_id, CustomerAddress.line1, CustomerAddress.postal_code
    ).where(col(CustomerAddress.postal_code).startswith(zip5, autoescape=True))
    return (await session.exec(statement)).all()


async def customers_by_id(
    session: AsyncSession, customer_ids: set[uuid.UUID], scope: Scope = UNLIMITED
) -> Sequence[Customer]:
    """The customers of those ids that are in scope."""
    statement = select(Customer).where(col(Customer.id).in_(customer_ids))
    return (await session.exec(CUSTOMERS.filter(statement, scope))).all()


async def likely_duplicates(
    session: AsyncSession,
    *,
    legal_name: str | None,
    tax_id: str | None,
    addresses: Sequence[tuple[str, str]],
    other_than: uuid.UUID | None,
    limit: int,
    scope: Scope = UNLIMITED,
) -> list[tuple[Customer, list[DuplicateMatch], int | None]]:
    """Customers in scope that may be the one described: the same tax id, the same or a similar
    name, an address with the same street line and ZIP ((line1, postal_code) pairs). Each with
    what matched and how alike the names are, the strongest first."""
    matched: dict[uuid.UUID, set[DuplicateMatch]] = {}
    similarity: dict[uuid.UUID, int] = {}
    if tax_id is not None:
        for customer_id in await customers_with_tax_id(session, tax_id):
            matched.setdefault(customer_id, set()).add(DuplicateMatch.TAX_ID)
    if legal_name is not None:
        key = name_key(legal_name)
        similarity = similar_names(key, await name_keys(session, scope), limit=limit + 1)
        for customer_id, score in similarity.items():
            kind = DuplicateMatch.NAME if score == 100 else DuplicateMatch.SIMILAR_NAME
            matched.setdefault(customer_id, set()).add(kind)
    for line1, postal_code in addresses:
        wanted = address_key(line1, postal_code)
        for customer_id, other_line1, other_postal in await addresses_in_zip(
            session, postal_code.strip()[:5]
        ):
            if address_key(other_line1, other_postal) == wanted:
                matched.setdefault(customer_id, set()).add(DuplicateMatch.ADDRESS)
    if other_than is not None:
        matched.pop(other_than, None)
    customers = await customers_by_id(session, set(matched), scope)
    ranked = sorted(
        customers,
        key=lambda c: (-len(matched[c.id]), -similarity.get(c.id, 0), c.account_number),
    )
    return [(c, sorted(matched[c.id]), similarity.get(c.id)) for c in ranked[:limit]]
