"""Reads of ledger items and their dated entries."""

import uuid
from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.collections.models import LedgerEntry, LedgerItem
from shared.api.problems import NotFound
from shared.auth import UNLIMITED, Scope
from shared.scoping import within


async def get_item(
    session: AsyncSession, item_id: uuid.UUID, *, scope: Scope = UNLIMITED
) -> LedgerItem:
    """The item, or a 404 when the ledger holds none or it is outside the caller's scope."""
    statement = within(
        select(LedgerItem).where(LedgerItem.id == item_id),
        scope,
        customer=LedgerItem.customer_id,
        district=LedgerItem.business_district,
    )
    item = (await session.exec(statement)).first()
    if item is None:
        raise NotFound(f"the ledger holds no item {item_id}")
    return item


async def entries_of(session: AsyncSession, item_id: uuid.UUID) -> Sequence[LedgerEntry]:
    """The item's entries in date order."""
    return (
        await session.exec(
            select(LedgerEntry)
            .where(LedgerEntry.item_id == item_id)
            .order_by(col(LedgerEntry.entry_date), col(LedgerEntry.id))
        )
    ).all()


async def items_by_id(session: AsyncSession, ids: Sequence[uuid.UUID]) -> Sequence[LedgerItem]:
    return (await session.exec(select(LedgerItem).where(col(LedgerItem.id).in_(ids)))).all()
