"""The collections API: routes only. For now, reading collections' copy of its customers."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from services.collections.repository import ACCOUNT_ORDER, get_account, search_accounts
from services.collections.schemas import CollectionAccountOut
from shared.api.pagination import Page, PageQuery, page_of
from shared.api.problems import PROBLEM_RESPONSES
from shared.api.transaction import SessionDep, TransactionalRoute
from shared.auth import ALL_ROLES, Principal, require_roles

router = APIRouter(
    prefix="/v1/collection-accounts",
    tags=["collection accounts"],
    route_class=TransactionalRoute,
    responses=PROBLEM_RESPONSES,
)

Reader = Annotated[Principal, require_roles(*ALL_ROLES)]


@router.get("", summary="List collection accounts")
async def list_collection_accounts(
    session: SessionDep,
    _: Reader,
    page: PageQuery,
    business_district: Annotated[str | None, Query(max_length=50, examples=["permian"])] = None,
    sales_rep: Annotated[str | None, Query(max_length=100)] = None,
) -> Page[CollectionAccountOut]:
    """Customers collections knows, matching every filter, in account-number order, a page at
    a time. Kept from the customers service's events, so a new customer shows up moments after
    it is registered."""
    statement = search_accounts(business_district=business_district, sales_rep=sales_rep)
    return await page_of(
        session,
        statement,
        order_by=ACCOUNT_ORDER,
        params=page,
        item=CollectionAccountOut.model_validate,
    )


@router.get("/{customer_id}", summary="Read a collection account")
async def read_collection_account(
    customer_id: uuid.UUID, session: SessionDep, _: Reader
) -> CollectionAccountOut:
    """One customer as collections sees it: terms, currency, district, sales rep and contacts.
    A 404 problem when collections has not heard of the customer."""
    return CollectionAccountOut.model_validate(await get_account(session, customer_id))
