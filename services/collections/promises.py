"""Promises to pay: recorded by the collector, kept or broken by what the customer then pays
(and a returned payment keeps nothing)."""

from collections.abc import Sequence
from decimal import Decimal

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from services.collections.models import PromiseToPay
from services.collections.work_rules import counts_towards
from shared.events.payments import PaymentReceived, PaymentReversed


async def count_payment(session: AsyncSession, payment: PaymentReceived) -> None:
    """Count a payment towards the customer's open promises, earliest date first."""
    if payment.customer_id is None:
        return
    promises = await _customers_promises(
        session,
        select(PromiseToPay)
        .where(PromiseToPay.customer_id == payment.customer_id)
        .where(PromiseToPay.currency == payment.currency)
        .order_by(col(PromiseToPay.promised_on), col(PromiseToPay.id)),
    )
    left = payment.amount
    for promise in promises:
        if left <= 0:
            break
        if promise.kept_on is not None:
            continue
        if not counts_towards(promise.promised_on, promise.recorded_on, payment.received_on):
            continue
        taken = min(left, promise.amount - promise.paid_amount)
        promise.paid_amount += taken
        # A new dict, so the JSON column sees the change.
        promise.counted_payments = promise.counted_payments | {str(payment.payment_id): str(taken)}
        left -= taken
        if promise.paid_amount >= promise.amount:
            promise.kept_on = payment.received_on


async def uncount_payment(session: AsyncSession, reversal: PaymentReversed) -> None:
    """A returned payment no longer keeps a promise: take it back off whatever it counted for."""
    if reversal.customer_id is None:
        return
    key = str(reversal.payment_id)
    statement = select(PromiseToPay).where(PromiseToPay.customer_id == reversal.customer_id)
    for promise in await _customers_promises(session, statement):
        if key not in promise.counted_payments:
            continue
        promise.paid_amount -= Decimal(promise.counted_payments[key])
        promise.counted_payments = {k: v for k, v in promise.counted_payments.items() if k != key}
        if promise.paid_amount < promise.amount:
            promise.kept_on = None


async def _customers_promises(
    session: AsyncSession, statement: SelectOfScalar[PromiseToPay]
) -> Sequence[PromiseToPay]:
    """Read without autoflush, so a batch of payments is not written one by one: only the
    collector records promises, never a consumer, and a promise this transaction changed comes
    back as the same object; which is why the statement filters on nothing a payment changes."""
    with session.no_autoflush:
        return (await session.exec(statement)).all()
