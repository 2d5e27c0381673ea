"""Payments' outbox: its events are written in the same transaction as the change they report."""

from sqlmodel.ext.asyncio.session import AsyncSession

from shared.db import RowBatch
from shared.events.catalog import EventPayload
from shared.events.payments import (
    CreditMemoApplied,
    DepositReceived,
    PaymentApplied,
    PaymentReceived,
    PaymentReversed,
    PaymentUnapplied,
    RefundIssued,
    WriteOffPosted,
    WriteOffReversed,
)
from shared.outbox import Outbox

outbox = Outbox("payments")

PUBLISHES: list[type[EventPayload]] = [
    PaymentReceived,
    PaymentApplied,
    PaymentUnapplied,
    PaymentReversed,
    RefundIssued,
    DepositReceived,
    WriteOffPosted,
    WriteOffReversed,
    CreditMemoApplied,
]


def publish(
    session: AsyncSession,
    payload: EventPayload,
    *,
    key: object,
    aggregate_id: object,
    batch: RowBatch | None = None,
) -> None:
    """Write the event to the outbox (or the `batch`). `key` is the customer id, or the payment
    id while the payer is unknown (such a payment's later events are keyed by the customer once
    it is known)."""
    outbox.add(session, payload, customer_id=str(key), aggregate_id=str(aggregate_id), batch=batch)
