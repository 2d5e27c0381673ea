"""The payments API: routes only. So far, the payers payments keeps from customer events."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from sqlmodel import col

from shared.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page, paginate
from shared.api.problems import PROBLEM_RESPONSES
from shared.api.transaction import SessionDep, TransactionalRoute
from shared.auth import ALL_ROLES, Principal, require_roles
from services.payments.models import Payer
from services.payments.repository import get_payer, search_payers
from services.payments.schemas import PayerOut

router = APIRouter(
    prefix="/v1/payers", tags=["payers"], route_class=TransactionalRoute,
    responses=PROBLEM_RESPONSES,
)

Reader = Annotated[Principal, require_roles(*ALL_ROLES)]


@router.get("", summary="Find payers")
async def list_payers(
    session: SessionDep,
    _: Reader,
    q: Annotated[
        str | None,
        Query(
            min_length=1, max_length=100,
            description="Legal name, DBA or account number contains",
        ),
    ] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> Page[PayerOut]:
    """Payers in account-number order, a page at a time: who a check or remittance may be from."""
    rows, next_cursor = await paginate(
        session, search_payers(q=q),
        # The id breaks ties: the copy does not enforce the master's unique account numbers.
        order_by=[col(Payer.account_number), col(Payer.id)],
        cursor=cursor, limit=limit,
    )
    items = [PayerOut.model_validate(row) for row in rows]
    return Page[PayerOut](items=items, next_cursor=next_cursor)


@router.get("/{customer_id}", summary="Read a payer")
async def read_payer(customer_id: uuid.UUID, session: SessionDep, _: Reader) -> PayerOut:
    """The customer's account number, names, status and currency as payments holds them. 404 if
    payments has not (yet) received this customer."""
    return PayerOut.model_validate(await get_payer(session, customer_id))
