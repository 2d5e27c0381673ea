"""Reads of the collector's records: activities, promises to pay and disputes, as statements
the routes page through."""

import uuid
from collections.abc import Sequence
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from services.collections.models import Activity, Dispute, PromiseToPay
from services.collections.queries.accounts import of_account, of_customers_in_scope
from shared.auth import UNLIMITED, Scope


def activities_of(customer_id: uuid.UUID, scope: Scope = UNLIMITED) -> SelectOfScalar[Activity]:
    statement = select(Activity).where(Activity.customer_id == customer_id)
    return of_customers_in_scope(statement, scope, Activity.customer_id)


def promises(
    customer_id: uuid.UUID | None, scope: Scope = UNLIMITED
) -> SelectOfScalar[PromiseToPay]:
    statement = select(PromiseToPay)
    if customer_id is not None:
        statement = statement.where(PromiseToPay.customer_id == customer_id)
    return of_customers_in_scope(statement, scope, PromiseToPay.customer_id)


def disputes(scope: Scope = UNLIMITED, **filters: Any) -> SelectOfScalar[Dispute]:
    """Disputes in scope matching every filter given (None means any)."""
    statement = select(Dispute).filter_by(**{k: v for k, v in filters.items() if v is not None})
    return of_customers_in_scope(statement, scope, Dispute.customer_id)


async def get_dispute(
    session: AsyncSession, dispute_id: uuid.UUID, *, scope: Scope = UNLIMITED
) -> Dispute:
    """The dispute, or a 404 when it is unknown or outside the caller's scope."""
    statement = select(Dispute).where(Dispute.id == dispute_id)
    return await of_account(Dispute.customer_id).one(
        session, statement, scope, missing=f"no dispute {dispute_id}"
    )


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
