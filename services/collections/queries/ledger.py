"""Reads of ledger items and their dated entries."""

import uuid
from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.collections.models import LedgerEntry, LedgerItem
from shared.auth import UNLIMITED, Scope
from shared.scoping import Reach

ITEMS = Reach(customer=LedgerItem.customer_id, district=LedgerItem.business_district)


async def get_item(
    session: AsyncSession, item_id: uuid.UUID, *, scope: Scope = UNLIMITED
) -> LedgerItem:
    """The item, or a 404 when the ledger holds none or it is outside the caller's scope."""
    statement = select(LedgerItem).where(LedgerItem.id == item_id)
    return await ITEMS.one(session, statement, scope, missing=f"the ledger holds no item {item_id}")


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
