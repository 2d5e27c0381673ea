"""The customer itself: register, search, read, change."""

import uuid
from typing import Annotated

from fastapi import Header, Query, Response, status
from sqlmodel import col

from services.customers.api.dependencies import PREFIX, TAG
from services.customers.commands.customers import register_customer, update_customer
from services.customers.models import Customer
from services.customers.publishing import snapshot
from services.customers.queries import get_customer, search_customers
from services.customers.schemas import CustomerCreate, CustomerOut, CustomerPatch
from shared.api.access import AnyRole, StaffAndIntegration
from shared.api.pagination import Page, PageQuery, page_of
from shared.api.problems import Problem, problem_doc
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
    """Register a customer. Publishes `CustomerRegistered`. Retry safely with `Idempotency-Key`."""
    customer = await register_customer(session, data, actor)
    response.headers["Location"] = f"{router.prefix}/{customer.id}"
    response.headers["ETag"] = _etag(customer)
    return customer_out(customer)


@router.get("", summary="Search customers")
async def list_customers(
    session: SessionDep,
    _: AnyRole,
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


@router.get("/{customer_id}", summary="Read a customer")
async def read_customer(
    customer_id: uuid.UUID, session: SessionDep, _: AnyRole, response: Response
) -> CustomerOut:
    """The customer with addresses, contacts, certificates, onboarding. `ETag`: its revision."""
    customer = await get_customer(session, customer_id)
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
