"""Reads of the collector's records: activities, promises to pay and disputes, as statements
the routes page through."""

import uuid
from collections.abc import Sequence
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from services.collections.models import Activity, Dispute, PromiseToPay


def activities_of(customer_id: uuid.UUID) -> SelectOfScalar[Activity]:
    return select(Activity).where(Activity.customer_id == customer_id)


def promises(customer_id: uuid.UUID | None) -> SelectOfScalar[PromiseToPay]:
    statement = select(PromiseToPay)
    if customer_id is not None:
        statement = statement.where(PromiseToPay.customer_id == customer_id)
    return statement


def disputes(**filters: Any) -> SelectOfScalar[Dispute]:
    """Disputes matching every filter given (None means any)."""
    return select(Dispute).filter_by(**{k: v for k, v in filters.items() if v is not None})


async def activities_of_customers(
    session: AsyncSession, customer_ids: Sequence[uuid.UUID]
) -> Sequence[Activity]:
    """The customers' activities, oldest first."""
    return (
        await session.exec(
            select(Activity)
            .where(col(Activity.customer_id).in_(customer_ids))
            .order_by(col(Activity.occurred_at), col(Activity.id))
        )
    ).all()
