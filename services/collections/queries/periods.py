"""Reads of the closed periods."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.collections.models import ClosedPeriod, LedgerEntry, LedgerItem, LoggedEvent
from shared.api.problems import NotFound


async def closed_periods(session: AsyncSession) -> Sequence[ClosedPeriod]:
    """Every closed month, newest first."""
    return (
        await session.exec(select(ClosedPeriod).order_by(col(ClosedPeriod.period).desc()))
    ).all()


async def get_closed(session: AsyncSession, period: str) -> ClosedPeriod:
    closed = await session.get(ClosedPeriod, period)
    if closed is None:
        raise NotFound(f"{period} is not closed")
    return closed


async def latest_closed(session: AsyncSession) -> ClosedPeriod | None:
    return (
        await session.exec(select(ClosedPeriod).order_by(col(ClosedPeriod.period).desc()))
    ).first()


@dataclass(frozen=True)
class LateEntry:
    """An entry dated inside a closed month that the ledger received after the close."""

    number: str | None
    item_kind: str
    entry_kind: str
    currency: str
    amount: Decimal
    entry_date: date
    received_at: datetime


async def arrived_since_close(session: AsyncSession, closed: ClosedPeriod) -> list[LateEntry]:
    """What reached the ledger after the month closed but is dated on or before its end (a
    document its service posted before it heard of the close): the figures as known now differ
    from those kept at the close by exactly these."""
    rows = await session.exec(
        select(  # type: ignore[call-overload]
            LedgerItem.number,
            LedgerItem.kind,
            LedgerEntry.kind,
            LedgerEntry.currency,
            LedgerEntry.amount,
            LedgerEntry.entry_date,
            LoggedEvent.logged_at,
        )
        .join(LoggedEvent, col(LoggedEvent.event_id) == col(LedgerEntry.event_id))
        .join(LedgerItem, col(LedgerItem.id) == col(LedgerEntry.item_id))
        .where(
            col(LedgerEntry.entry_date) <= closed.closed_through,
            col(LoggedEvent.logged_at) > closed.closed_at,
        )
        .order_by(col(LoggedEvent.logged_at), col(LedgerEntry.entry_date))
    )
    return [LateEntry(*row) for row in rows.all()]
