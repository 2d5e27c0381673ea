"""Reading billing accounts: the queries the API needs."""

import uuid

from sqlalchemy import Select
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.invoicing.models.accounts import BillingAccount
from shared.auth import UNLIMITED, Scope
from shared.scoping import Reach

BILLING_ACCOUNTS = Reach(customer=BillingAccount.id, district=BillingAccount.business_district)


async def find_billing_account(
    session: AsyncSession, customer_id: uuid.UUID
) -> BillingAccount | None:
    return await session.get(BillingAccount, customer_id)


async def get_billing_account(
    session: AsyncSession, customer_id: uuid.UUID, *, scope: Scope = UNLIMITED
) -> BillingAccount:
    """The account, or a 404 when it is unknown or outside the caller's scope."""
    statement = select(BillingAccount).where(BillingAccount.id == customer_id)
    return await BILLING_ACCOUNTS.one(
        session, statement, scope, missing=f"no billing account for customer {customer_id}"
    )


def search_billing_accounts(
    *,
    business_district: str | None = None,
    status: str | None = None,
    scope: Scope = UNLIMITED,
) -> Select:  # type: ignore[type-arg]
    """Billing accounts in scope matching every filter given."""
    statement = BILLING_ACCOUNTS.filter(select(BillingAccount), scope)
    if business_district is not None:
        statement = statement.where(BillingAccount.business_district == business_district)
    if status is not None:
        statement = statement.where(BillingAccount.status == status)
    return statement
