"""Authority limits that cannot be split: a limit on what one person may do alone counts what
they already did to the same invoice (and, where a service's setting says so, to the same
customer that day), so five small documents weigh what one large one would."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession


@dataclass(frozen=True)
class Done:
    """What a person already did within the scope a limit counts, and that scope in words."""

    amount: Decimal
    scope: str


async def _sum(session: AsyncSession, amount: Any, *where: ColumnElement[bool]) -> Decimal:
    # Summed here, exactly: SQLite's SUM of a decimal column is a float.
    return sum((await session.exec(select(amount).where(*where))).all(), Decimal(0))


async def done_so_far(
    session: AsyncSession,
    amount: Any,
    *,
    by: ColumnElement[bool],
    on_invoice: ColumnElement[bool],
    customer_today: tuple[ColumnElement[bool], ColumnElement[bool]] | None = None,
    counting: tuple[ColumnElement[bool], ...] = (),
) -> Done:
    """The sum of the `amount` column over the rows `by` the person `on_invoice`, or, when
    `customer_today` is given (the customer, the day) and that is more, to the customer today.
    `counting` leaves out rows that no longer count (e.g. undone ones)."""
    done = Done(await _sum(session, amount, by, on_invoice, *counting), "on this invoice")
    if customer_today is not None:
        today = await _sum(session, amount, by, *customer_today, *counting)
        if today > done.amount:
            done = Done(today, "to this customer today")
    return done


def exceeds(limit: Decimal, done: Done, amount: Decimal) -> bool:
    """Whether `amount` on top of what the person did takes them beyond the limit."""
    return done.amount + amount > limit
