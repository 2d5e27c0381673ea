"""Ledger routes: an item's history, and the tie-out of the ledger to the AR control account."""

import uuid
from typing import Annotated

from fastapi import Query

from services.collections.api.dependencies import SettingsDep
from services.collections.queries.ledger import entries_of, get_item
from services.collections.queries.tie_out import tie_out
from services.collections.schemas import LedgerItemOut, TieOutOut
from shared.api.access import AnyRole, ScopedAnyRole
from shared.api.dates import BoundedDate
from shared.api.routing import service_router
from shared.api.transaction import SessionDep
from shared.clock import ClockDep

router = service_router("/v1/ledger", "ledger")


@router.get("/items/{item_id}", summary="An open item and its history")
async def read_ledger_item(
    item_id: uuid.UUID, session: SessionDep, actor: ScopedAnyRole
) -> LedgerItemOut:
    """An invoice, credit memo, payment, deposit or refund as the ledger holds it, with every
    dated entry: issue, applications, credits, discounts, write-offs, reversals."""
    item = await get_item(session, item_id, scope=actor.scope)
    entries = await entries_of(session, item_id)
    return LedgerItemOut.model_validate(
        {**item.model_dump(), "history": [e.model_dump() for e in entries]}
    )


@router.get("/tie-out", summary="The ledger against the AR control account")
async def read_tie_out(
    clock: ClockDep,
    session: SessionDep,
    _: AnyRole,
    settings: SettingsDep,
    as_of: Annotated[BoundedDate | None, Query(description="Default today")] = None,
) -> list[TieOutOut]:
    """Per currency, the ledger's AR (invoices and credit memos) beside the debits less credits
    posted to the AR control account, both as of the date, and their difference (zero when
    the subledger ties)."""
    found = await tie_out(session, as_of or clock.today(), settings.chart.ar_control)
    return [
        TieOutOut(currency=t.currency, ledger=t.ledger, journal=t.journal, difference=t.difference)
        for t in found
    ]
