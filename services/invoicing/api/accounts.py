"""The invoicing API: routes only. So far, the billing accounts it keeps from customer events."""

import uuid
from typing import Annotated

from fastapi import Query
from sqlmodel import col

from services.invoicing.models.accounts import BillingAccount
from services.invoicing.queries.accounts import get_billing_account, search_billing_accounts
from services.invoicing.schemas.accounts import BillingAccountOut
from shared.api.access import ScopedAnyRole
from shared.api.pagination import Page, PageQuery, page_of
from shared.api.routing import service_router
from shared.api.transaction import SessionDep
from shared.events.customers import CustomerStatus

router = service_router("/v1/billing-accounts", "billing accounts")


@router.get("", summary="List billing accounts")
async def list_billing_accounts(
    session: SessionDep,
    actor: ScopedAnyRole,
    page: PageQuery,
    business_district: Annotated[str | None, Query(min_length=1, max_length=50)] = None,
    status_: Annotated[CustomerStatus | None, Query(alias="status")] = None,
) -> Page[BillingAccountOut]:
    """Customers as invoicing bills them, matching every filter, in account-number order, a page
    at a time."""
    statement = search_billing_accounts(
        business_district=business_district, status=status_, scope=actor.scope
    )
    return await page_of(
        session,
        statement,
        # The id breaks ties: the copy does not enforce the master's unique account numbers.
        order_by=[col(BillingAccount.account_number), col(BillingAccount.id)],
        params=page,
        item=BillingAccountOut.model_validate,
    )


@router.get("/{customer_id}", summary="Read a billing account")
async def read_billing_account(
    customer_id: uuid.UUID, session: SessionDep, actor: ScopedAnyRole
) -> BillingAccountOut:
    """The customer's terms, billing profile, addresses and exemption certificates as invoicing
    holds them. 404 if invoicing has not (yet) received this customer, or it is outside the
    caller's districts or customer."""
    account = await get_billing_account(session, customer_id, scope=actor.scope)
    return BillingAccountOut.model_validate(account)
