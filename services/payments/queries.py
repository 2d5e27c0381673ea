"""Reading payers: the queries the API needs."""

import uuid

from sqlalchemy import Select, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.payments.models import Payer
from shared.api.problems import NotFound


async def get_payer(session: AsyncSession, customer_id: uuid.UUID) -> Payer:
    payer = await session.get(Payer, customer_id)
    if payer is None:
        raise NotFound(f"no payer for customer {customer_id}")
    return payer


def search_payers(*, q: str | None = None) -> Select:  # type: ignore[type-arg]
    """Payers whose legal name, DBA or account number contains `q` (any case); all without it."""
    statement = select(Payer)
    if q:
        # autoescape: a `%` or `_` in a name is a character to find, not a wildcard.
        statement = statement.where(
            or_(
                col(Payer.legal_name).icontains(q, autoescape=True),
                col(Payer.dba).icontains(q, autoescape=True),
                col(Payer.account_number).icontains(q, autoescape=True),
            )
        )
    return statement
