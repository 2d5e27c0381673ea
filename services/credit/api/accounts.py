"""Credit accounts: credit's copy of its customers, read-only."""

import uuid
from typing import Annotated

from fastapi import Query

from services.credit.queries.accounts import ACCOUNT_ORDER, get_account_in_scope, search_accounts
from services.credit.schemas import CreditAccountOut
from shared.api.access import ScopedAnyRole
from shared.api.pagination import Page, PageQuery, page_of
from shared.api.routing import service_router
from shared.api.transaction import SessionDep
from shared.events.customers import CustomerStatus

router = service_router("/v1/credit-accounts", "credit accounts")


@router.get("", summary="List credit accounts")
async def list_credit_accounts(
    session: SessionDep,
    actor: ScopedAnyRole,
    page: PageQuery,
    status: CustomerStatus | None = None,
    business_district: Annotated[str | None, Query(max_length=50, examples=["permian"])] = None,
) -> Page[CreditAccountOut]:
    """Customers credit knows, matching every filter, in account-number order, a page at a
    time. Kept from the customers service's events, so a new customer shows up moments after
    it is registered."""
    statement = search_accounts(
        status=status, business_district=business_district, scope=actor.scope
    )
    return await page_of(
        session,
        statement,
        order_by=ACCOUNT_ORDER,
        params=page,
        item=CreditAccountOut.model_validate,
    )


@router.get("/{customer_id}", summary="Read a credit account")
async def read_credit_account(
    customer_id: uuid.UUID, session: SessionDep, actor: ScopedAnyRole
) -> CreditAccountOut:
    """One customer as credit sees it: status, hold, currency, district and onboarding checklist.
    A 404 problem when credit has not heard of the customer."""
    return CreditAccountOut.model_validate(
        await get_account_in_scope(session, customer_id, actor.scope)
    )
