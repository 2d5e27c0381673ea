"""Reading billing accounts: the queries the API needs."""

import uuid

from sqlalchemy import Select
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.invoicing.models.accounts import BillingAccount
from shared.api.problems import NotFound


async def find_billing_account(
    session: AsyncSession, customer_id: uuid.UUID
) -> BillingAccount | None:
    return await session.get(BillingAccount, customer_id)


async def get_billing_account(session: AsyncSession, customer_id: uuid.UUID) -> BillingAccount:
    account = await find_billing_account(session, customer_id)
    if account is None:
        raise NotFound(f"no billing account for customer {customer_id}")
    return account


def search_billing_accounts(
    *, business_district: str | None = None, status: str | None = None
) -> Select:  # type: ignore[type-arg]
    """Billing accounts matching every filter given."""
    statement = select(BillingAccount)
    if business_district is not None:
        statement = statement.where(BillingAccount.business_district == business_district)
    if status is not None:
        statement = statement.where(BillingAccount.status == status)
    return statement
