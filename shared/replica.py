"""A service's own copy of facts another service owns, kept current from that service's events.

Events of one customer arrive in order, but a replay or a redelivery can bring an older
snapshot after a newer one: the copy keeps the highest revision and ignores the rest.
"""

import uuid
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar, cast

from sqlmodel.ext.asyncio.session import AsyncSession

from shared.events.customers import CustomerRegistered, CustomerSnapshot, CustomerUpdated
from shared.events.envelope import EventEnvelope
from shared.inbox import HandlerContext


class Replica(Protocol):
    id: uuid.UUID
    revision: int


R = TypeVar("R", bound=Replica)


async def upsert_if_newer(
    session: AsyncSession, table: type[R], key: uuid.UUID, revision: int, values: dict[str, Any]
) -> R | None:
    """Insert or update the copy unless it already holds this revision or a newer one."""
    row = await session.get(table, key)
    if row is None:
        row = cast(Any, table)(id=key, revision=revision, **values)
        session.add(row)
        return row
    if row.revision >= revision:
        return None
    for field, value in values.items():
        setattr(row, field, value)
    row.revision = revision
    return row


CustomerFacts = Callable[[CustomerSnapshot], dict[str, Any]]
CopyHandler = Callable[
    [HandlerContext, EventEnvelope, CustomerRegistered | CustomerUpdated], Awaitable[None]
]


def customer_copy_handlers(table: type[Replica], facts: CustomerFacts) -> dict[type, CopyHandler]:
    """Handlers keeping `table` (keyed by customer id) current from the customer events;
    `facts` picks from the snapshot the columns this service needs."""

    async def copy_customer(
        context: HandlerContext,
        envelope: EventEnvelope,
        event: CustomerRegistered | CustomerUpdated,
    ) -> None:
        await upsert_if_newer(
            context.session,
            table,
            event.customer.id,
            event.customer.revision,
            facts(event.customer),
        )

    return {CustomerRegistered: copy_customer, CustomerUpdated: copy_customer}
