"""Gapless numbering: the next number of a series, taken inside the caller's transaction.

The increment locks the series row until the transaction ends, so concurrent transactions
queue for it and a rolled-back transaction gives its number back: no gaps, no duplicates.
"""

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.tables import NumberSeries


async def next_in_series(session: AsyncSession, series: str, count: int = 1) -> int:
    """The next number of the series; with `count`, the first of that many consecutive numbers,
    taken in one row update (a batch of documents numbered at once)."""
    if count < 1:
        raise ValueError("take at least one number")
    bumped = await session.exec(
        update(NumberSeries)
        .where(col(NumberSeries.series) == series)
        .values(last_value=col(NumberSeries.last_value) + count)
        .returning(col(NumberSeries.last_value))
    )
    value = bumped.scalar_one_or_none()
    if value is not None:
        return value - count + 1
    try:
        async with session.begin_nested():
            session.add(NumberSeries(series=series, last_value=count))
        return 1
    except IntegrityError:
        # A concurrent transaction opened the series first; take the next numbers after it.
        return await next_in_series(session, series, count)
