"""What credit publishes on `ar.credit.v1`, written with its outbox in the caller's transaction."""

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from shared.events.catalog import EventPayload
from shared.events.credit import (
    CreditApplicationApproved,
    CreditHoldPlaced,
    CreditHoldReleased,
    CreditLimitChanged,
)
from shared.outbox import Outbox

outbox = Outbox("credit")

PUBLISHES: list[type[EventPayload]] = [
    CreditLimitChanged,
    CreditHoldPlaced,
    CreditHoldReleased,
    CreditApplicationApproved,
]


def publish(
    session: AsyncSession, event: EventPayload, *, customer_id: uuid.UUID, aggregate_id: uuid.UUID
) -> None:
    """Every credit event is keyed by its customer so a customer's events stay in order."""
    outbox.add(session, event, customer_id=str(customer_id), aggregate_id=str(aggregate_id))
