"""Reads of the closed periods."""

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.collections.models import ClosedPeriod


async def closed_periods(session: AsyncSession) -> Sequence[ClosedPeriod]:
    """Every closed month, newest first."""
    return (
        await session.exec(select(ClosedPeriod).order_by(col(ClosedPeriod.period).desc()))
    ).all()


async def latest_closed(session: AsyncSession) -> ClosedPeriod | None:
    return (
        await session.exec(select(ClosedPeriod).order_by(col(ClosedPeriod.period).desc()))
    ).first()
