"""The collections API: routes only. For now, reading collections' copy of its customers."""

import uuid
from typing import Annotated

from fastapi import Query

from services.collections.queries.accounts import ACCOUNT_ORDER, get_account, search_accounts
from services.collections.schemas import CollectionAccountOut
from shared.api.access import ScopedAnyRole
from shared.api.pagination import Page, PageQuery, page_of
from shared.api.routing import service_router
from shared.api.transaction import SessionDep

router = service_router("/v1/collection-accounts", "collection accounts")


@router.get("", summary="List collection accounts")
async def list_collection_accounts(
    session: SessionDep,
    actor: ScopedAnyRole,
    page: PageQuery,
    business_district: Annotated[str | None, Query(max_length=50, examples=["permian"])] = None,
    sales_rep: Annotated[str | None, Query(max_length=100)] = None,
) -> Page[CollectionAccountOut]:
    """Customers collections knows, matching every filter, in account-number order, a page at
    a time. Kept from the customers service's events, so a new customer shows up moments after
    it is registered."""
    statement = search_accounts(
        business_district=business_district, sales_rep=sales_rep, scope=actor.scope
    )
    return await page_of(
        session,
        statement,
        order_by=ACCOUNT_ORDER,
        params=page,
        item=CollectionAccountOut.model_validate,
    )


@router.get("/{customer_id}", summary="Read a collection account")
async def read_collection_account(
    customer_id: uuid.UUID, session: SessionDep, actor: ScopedAnyRole
) -> CollectionAccountOut:
    """One customer as collections sees it: terms, currency, district, sales rep and contacts.
    A 404 problem when collections has not heard of the customer."""
    return CollectionAccountOut.model_validate(
        await get_account(session, customer_id, scope=actor.scope)
    )
