"""Reading credit accounts: the queries the API needs, in one place."""

import uuid
from typing import Any

from sqlalchemy import Select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.credit.models import CreditAccount
from shared.api.problems import NotFound
from shared.events.customers import CustomerStatus

# Account number first for people; the id breaks ties so the cursor order is total.
ACCOUNT_ORDER = [col(CreditAccount.account_number), col(CreditAccount.id)]


async def get_account(
    session: AsyncSession, customer_id: uuid.UUID, *, lock: bool = False
) -> CreditAccount:
    """The customer's credit account; `lock` queues other decisions on it behind this one."""
    account = await session.get(CreditAccount, customer_id, with_for_update=lock)
    if account is None:
        raise NotFound(f"no credit account for customer {customer_id}")
    return account


def search_accounts(*, status: CustomerStatus | None, business_district: str | None) -> Select[Any]:
    """Accounts matching every filter given."""
    filters = {"status": status, "business_district": business_district}
    return select(CreditAccount).filter_by(
        **{name: value for name, value in filters.items() if value is not None}
    )
