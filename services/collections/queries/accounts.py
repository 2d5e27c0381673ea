"""Reading collection accounts: the queries the API needs, in one place."""

import uuid
from typing import Any

from sqlalchemy import Select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.collections.models import CollectionAccount
from shared.api.problems import NotFound

# Account number first for people; the id breaks ties so the cursor order is total.
ACCOUNT_ORDER = [col(CollectionAccount.account_number), col(CollectionAccount.id)]


async def get_account(session: AsyncSession, customer_id: uuid.UUID) -> CollectionAccount:
    account = await session.get(CollectionAccount, customer_id)
    if account is None:
        raise NotFound(f"no collection account for customer {customer_id}")
    return account


def search_accounts(*, business_district: str | None, sales_rep: str | None) -> Select[Any]:
    """Accounts matching every filter given."""
    filters = {"business_district": business_district, "sales_rep": sales_rep}
    return select(CollectionAccount).filter_by(
        **{name: value for name, value in filters.items() if value is not None}
    )
