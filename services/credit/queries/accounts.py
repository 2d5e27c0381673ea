"""Reading credit accounts: the queries the API needs, in one place."""

import uuid
from typing import Any

from sqlalchemy import Select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.credit.models import CreditAccount
from shared.api.problems import NotFound
from shared.auth import UNLIMITED, Scope
from shared.events.customers import CustomerStatus
from shared.scoping import Reach

# Account number first for people; the id breaks ties so the cursor order is total.
ACCOUNT_ORDER = [col(CreditAccount.account_number), col(CreditAccount.id)]


ACCOUNTS = Reach(customer=CreditAccount.id, district=CreditAccount.business_district)


async def get_account(
    session: AsyncSession, customer_id: uuid.UUID, *, lock: bool = False
) -> CreditAccount:
    """The customer's credit account; `lock` queues other decisions on it behind this one."""
    account = await session.get(CreditAccount, customer_id, with_for_update=lock)
    if account is None:
        raise NotFound(f"no credit account for customer {customer_id}")
    return account


async def get_account_in_scope(
    session: AsyncSession, customer_id: uuid.UUID, scope: Scope
) -> CreditAccount:
    """The account, or the same 404 as an unknown one when it is outside the caller's scope."""
    statement = select(CreditAccount).where(CreditAccount.id == customer_id)
    return await ACCOUNTS.one(
        session, statement, scope, missing=f"no credit account for customer {customer_id}"
    )


async def check_in_scope(session: AsyncSession, customer_id: uuid.UUID, scope: Scope) -> None:
    """A 404 when the customer is outside the caller's scope; reads nothing for a token whose
    scope does not limit customers (the busy authorization path)."""
    if scope.limits_customers:
        await get_account_in_scope(session, customer_id, scope)


def search_accounts(
    *, status: CustomerStatus | None, business_district: str | None, scope: Scope = UNLIMITED
) -> Select[Any]:
    """Accounts in scope matching every filter given."""
    filters = {"status": status, "business_district": business_district}
    return ACCOUNTS.filter(
        select(CreditAccount).filter_by(
            **{name: value for name, value in filters.items() if value is not None}
        ),
        scope,
    )
