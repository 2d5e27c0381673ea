"""Payers: the copy of customers payments keeps from customer events, to recognise who paid."""

import uuid
from typing import Annotated

from fastapi import Query
from sqlmodel import col

from services.payments.models import Payer
from services.payments.queries import get_payer, search_payers
from services.payments.schemas import PayerOut
from shared.api.access import ScopedAnyRole
from shared.api.pagination import Page, PageQuery, page_of
from shared.api.routing import service_router
from shared.api.transaction import SessionDep

router = service_router("/v1/payers", "payers")


@router.get("", summary="Find payers")
async def list_payers(
    session: SessionDep,
    actor: ScopedAnyRole,
    page: PageQuery,
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=100,
            description="Legal name, DBA or account number contains",
        ),
    ] = None,
) -> Page[PayerOut]:
    """Payers in account-number order, a page at a time: who a check or remittance may be from."""
    return await page_of(
        session,
        search_payers(q=q, scope=actor.scope),
        # The id breaks ties: the copy does not enforce the master's unique account numbers.
        order_by=[col(Payer.account_number), col(Payer.id)],
        params=page,
        item=PayerOut.model_validate,
    )


@router.get("/{customer_id}", summary="Read a payer")
async def read_payer(customer_id: uuid.UUID, session: SessionDep, actor: ScopedAnyRole) -> PayerOut:
    """The customer's account number, names, status and currency as payments holds them. 404 if
    payments has not (yet) received this customer."""
    return PayerOut.model_validate(await get_payer(session, customer_id, scope=actor.scope))
