"""The customer itself: register, search, read, change."""

import uuid
from typing import Annotated

from fastapi import Header, Query, Response, status
from sqlmodel import col

from services.customers.api.dependencies import PREFIX, TAG
from services.customers.commands.customers import register_customer, update_customer
from services.customers.models import Customer
from services.customers.publishing import snapshot
from services.customers.queries import get_customer, likely_duplicates, search_customers
from services.customers.schemas import (
    EIN,
    CustomerCreate,
    CustomerOut,
    CustomerPatch,
    DuplicateOut,
)
from shared.api.access import ScopedAnyRole, StaffAndIntegration
from shared.api.pagination import Page, PageQuery, page_of
from shared.api.problems import BusinessRuleViolation, Problem, problem_doc
from shared.api.routing import service_router
from shared.api.text import PlainText
from shared.api.transaction import SessionDep
from shared.clock import ClockDep
from shared.events.customers import CustomerStatus

router = service_router(PREFIX, TAG)


class PreconditionFailed(Problem):
    status, slug, title = 412, "precondition-failed", "The customer changed since you read it"


def customer_out(customer: Customer) -> CustomerOut:
    return CustomerOut(
        **snapshot(customer).model_dump(),
        external_ref=customer.external_ref,
        credit_line=customer.credit_line,
        created_at=customer.created_at,
        updated_at=customer.updated_at,
    )


def _etag(customer: Customer) -> str:
    return f'"{customer.revision}"'


# The sales system registers and updates customers too (through the integration); credit keeps
# terms current.
@router.post("", status_code=status.HTTP_201_CREATED, summary="Register a customer")
async def create_customer(
    data: CustomerCreate, session: SessionDep, actor: StaffAndIntegration, response: Response
) -> CustomerOut:
    """Register a customer. Publishes `CustomerRegistered`. Retry safely with `Idempotency-Key`.
    The tax id or legal name of a customer already registered is a 409 naming it, unless
    `duplicate_override` says why this is another account (audited)."""
    customer = await register_customer(session, data, actor)
    response.headers["Location"] = f"{router.prefix}/{customer.id}"
    response.headers["ETag"] = _etag(customer)
    return customer_out(customer)


@router.get("", summary="Search customers")
async def list_customers(
    session: SessionDep,
    actor: ScopedAnyRole,
    page: PageQuery,
    status_: Annotated[CustomerStatus | None, Query(alias="status")] = None,
    business_district: str | None = None,
    sales_rep: str | None = None,
    credit_hold: bool | None = None,
    currency: str | None = None,
    q: Annotated[
        PlainText | None,
        Query(
            min_length=1,
            max_length=100,
            description="Name, DBA, account number, tax id or external ref contains",
        ),
    ] = None,
) -> Page[CustomerOut]:
    """Customers matching every filter, in account-number order, a page at a time."""
    statement = search_customers(
        scope=actor.scope,
        status=status_,
        business_district=business_district,
        sales_rep=sales_rep,
        credit_hold=credit_hold,
        currency=currency,
        q=q,
    )
    return await page_of(
        session, statement, order_by=[col(Customer.account_number)], params=page, item=customer_out
    )


@router.get(
    "/duplicates",
    summary="Likely duplicates",
    responses={404: problem_doc("No such customer (customer_id)")},
)
async def list_duplicates(
    session: SessionDep,
    actor: ScopedAnyRole,
    customer_id: Annotated[
        uuid.UUID | None,
        Query(description="Duplicates of this customer (its name, tax id, addresses)"),
    ] = None,
    legal_name: Annotated[PlainText | None, Query(min_length=1, max_length=200)] = None,
    tax_id: Annotated[EIN | None, Query()] = None,
    line1: Annotated[PlainText | None, Query(min_length=1, max_length=200)] = None,
    postal_code: Annotated[PlainText | None, Query(min_length=3, max_length=20)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[DuplicateOut]:
    """Customers that may be the same as `customer_id`, or as the details given (check before
    registering): the same tax id, the same or a similar legal name, an address with the same
    first line and ZIP. Strongest first, each saying what matched. A token limited to districts
    or a customer is shown only the customers it may see."""
    addresses = [(line1, postal_code)] if line1 and postal_code else []
    if customer_id is not None:
        customer = await get_customer(session, customer_id, scope=actor.scope)
        legal_name, tax_id = legal_name or customer.legal_name, tax_id or customer.tax_id
        addresses += [(a.line1, a.postal_code) for a in customer.addresses]
    elif (line1 is None) != (postal_code is None):
        raise BusinessRuleViolation("an address is compared by line1 and postal_code together")
    elif legal_name is None and tax_id is None and not addresses:
        raise BusinessRuleViolation("give customer_id, or a legal_name, tax_id or address")
    found = await likely_duplicates(
        session,
        legal_name=legal_name,
        tax_id=tax_id,
        addresses=addresses,
        other_than=customer_id,
        limit=limit,
        scope=actor.scope,
    )
    return [
        DuplicateOut(
            id=c.id,
            account_number=c.account_number,
            legal_name=c.legal_name,
            tax_id=c.tax_id,
            status=CustomerStatus(c.status),
            matched_on=matched_on,
            name_similarity=score,
        )
        for c, matched_on, score in found
    ]


@router.get("/{customer_id}", summary="Read a customer")
async def read_customer(
    customer_id: uuid.UUID, session: SessionDep, actor: ScopedAnyRole, response: Response
) -> CustomerOut:
    """The customer with addresses, contacts, certificates, onboarding. `ETag`: its revision.
    A 404 when it is outside the caller's districts or customer."""
    customer = await get_customer(session, customer_id, scope=actor.scope)
    response.headers["ETag"] = _etag(customer)
    return customer_out(customer)


@router.patch(
    "/{customer_id}",
    summary="Change a customer",
    responses={412: problem_doc("The customer changed since the ETag you sent")},
)
async def patch_customer(
    customer_id: uuid.UUID,
    patch: CustomerPatch,
    session: SessionDep,
    clock: ClockDep,
    actor: StaffAndIntegration,
    response: Response,
    if_match: Annotated[
        str | None, Header(description="The ETag you read; refused if it changed since")
    ] = None,
) -> CustomerOut:
    """Change the fields sent; publishes `CustomerUpdated`. on_hold/inactive needs a `reason`."""
    customer = await get_customer(session, customer_id, lock=True)
    if if_match is not None and if_match.strip() != _etag(customer):
        raise PreconditionFailed(f"the customer is at revision {customer.revision}; read it again")
    customer = await update_customer(session, clock, customer, patch, actor)
    response.headers["ETag"] = _etag(customer)
    return customer_out(customer)
