"""Ledger routes: an item's history, and the tie-out of the ledger to the AR control account."""

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from sqlmodel import col, select

from services.collections.api.deps import SettingsDep
from services.collections.models import LedgerEntry, LedgerItem
from services.collections.schemas import LedgerItemOut, TieOutOut
from services.collections.tie_out import tie_out
from shared.api.problems import PROBLEM_RESPONSES, NotFound
from shared.api.transaction import SessionDep, TransactionalRoute
from shared.auth import ALL_ROLES, Principal, require_roles
from shared.clock import ClockDep

router = APIRouter(
    prefix="/v1/ledger",
    tags=["ledger"],
    route_class=TransactionalRoute,
    responses=PROBLEM_RESPONSES,
)

Reader = Annotated[Principal, require_roles(*ALL_ROLES)]


@router.get("/items/{item_id}", summary="An open item and its history")
async def read_ledger_item(item_id: uuid.UUID, session: SessionDep, _: Reader) -> LedgerItemOut:
    """An invoice, credit memo, payment, deposit or refund as the ledger holds it, with every
    dated entry: issue, applications, credits, discounts, write-offs, reversals."""
    item = await session.get(LedgerItem, item_id)
    if item is None:
        raise NotFound(f"the ledger holds no item {item_id}")
    entries = (
        await session.exec(
            select(LedgerEntry)
            .where(LedgerEntry.item_id == item_id)
            .order_by(col(LedgerEntry.entry_date), col(LedgerEntry.id))
        )
    ).all()
    return LedgerItemOut.model_validate(
        {**item.model_dump(), "history": [e.model_dump() for e in entries]}
    )


@router.get("/tie-out", summary="The ledger against the AR control account")
async def read_tie_out(
    clock: ClockDep,
    session: SessionDep,
    _: Reader,
    settings: SettingsDep,
    as_of: Annotated[date | None, Query(description="Default today")] = None,
) -> list[TieOutOut]:
    """Per currency, the ledger's AR (invoices and credit memos) beside the debits less credits
    posted to the AR control account, both as of the date, and their difference (zero when
    the subledger ties)."""
    found = await tie_out(session, as_of or clock.today(), settings.ar_control_account)
    return [
        TieOutOut(currency=t.currency, ledger=t.ledger, journal=t.journal, difference=t.difference)
        for t in found
    ]
