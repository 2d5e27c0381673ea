"""Money sums grouped in the database, exact on both engines.

PostgreSQL sums NUMERIC itself. SQLite keeps decimals as text and its SUM would turn them into
floats, so there the rows come back ungrouped and are added as Decimals (embedded mode is small).
"""

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.db import on_postgres

Sums = dict[tuple[Any, ...], Decimal]


async def grouped_sums(
    session: AsyncSession, keys: Sequence[Any], amount: Any, where: Sequence[ColumnElement[bool]]
) -> Sums:
    """{(key values...): sum of amount} over the rows matching every condition."""
    totals: Sums = defaultdict(Decimal)
    if on_postgres(session):
        statement = select(*keys, func.sum(amount)).where(*where).group_by(*keys)
        for *key, total in (await session.exec(statement)).all():  # type: ignore[call-overload]
            totals[tuple(key)] += total
    else:
        rows = await session.exec(select(*keys, amount).where(*where))  # type: ignore[call-overload]
        for *key, value in rows.all():
            totals[tuple(key)] += value
    return dict(totals)


def subtract(minuend: Sums, subtrahend: Sums) -> Sums:
    result: Sums = defaultdict(Decimal, minuend)
    for key, value in subtrahend.items():
        result[key] -= value
    return dict(result)
