"""Reading credit holds: the customer's open one, and the list people browse."""

import uuid
from typing import Any

from sqlalchemy import Select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.credit.models import CreditHold

# Oldest first; the id breaks ties so the cursor order is total.
HOLD_ORDER = [col(CreditHold.placed_at), col(CreditHold.id)]


async def open_hold(session: AsyncSession, customer_id: uuid.UUID) -> CreditHold | None:
    return (
        await session.exec(
            select(CreditHold).where(
                CreditHold.customer_id == customer_id, col(CreditHold.released_at).is_(None)
            )
        )
    ).first()


def search_holds(*, customer_id: uuid.UUID | None, open_only: bool) -> Select[Any]:
    """Holds of the customer (or everyone's), only those not released yet if `open_only`."""
    statement = select(CreditHold)
    if customer_id is not None:
        statement = statement.where(CreditHold.customer_id == customer_id)
    if open_only:
        statement = statement.where(col(CreditHold.released_at).is_(None))
    return statement
