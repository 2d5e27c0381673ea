"""Reading collection accounts: the queries the API needs, in one place."""

import uuid
from typing import Any, TypeVar

from sqlalchemy import Select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.collections.models import CollectionAccount
from shared.auth import UNLIMITED, Scope
from shared.scoping import Reach, district_of

S = TypeVar("S", bound=Select[Any])

# Account number first for people; the id breaks ties so the cursor order is total.
ACCOUNT_ORDER = [col(CollectionAccount.account_number), col(CollectionAccount.id)]


ACCOUNTS = Reach(customer=CollectionAccount.id, district=CollectionAccount.business_district)


def of_account(customer: Any) -> Reach:
    """The reach of a table keeping only the customer: it is judged by the district of the
    customer's account."""
    district = district_of(
        customer,
        id_column=CollectionAccount.id,
        district_column=CollectionAccount.business_district,
    )
    return Reach(customer=customer, district=district)


def of_customers_in_scope(statement: S, scope: Scope, customer: Any) -> S:
    """`statement` keeping the rows whose `customer` is in scope."""
    return of_account(customer).filter(statement, scope)


async def get_account(
    session: AsyncSession, customer_id: uuid.UUID, *, scope: Scope = UNLIMITED
) -> CollectionAccount:
    """The account, or a 404 when it is unknown or outside the caller's scope."""
    statement = select(CollectionAccount).where(CollectionAccount.id == customer_id)
    return await ACCOUNTS.one(
        session, statement, scope, missing=f"no collection account for customer {customer_id}"
    )


def search_accounts(
    *, business_district: str | None, sales_rep: str | None, scope: Scope = UNLIMITED
) -> Select[Any]:
    """Accounts in scope matching every filter given."""
    filters = {"business_district": business_district, "sales_rep": sales_rep}
    return ACCOUNTS.filter(
        select(CollectionAccount).filter_by(
            **{name: value for name, value in filters.items() if value is not None}
        ),
        scope,
    )
