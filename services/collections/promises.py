"""Promises to pay: recorded by the collector, kept or broken by what the customer then pays."""

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.collections.models import PromiseToPay
from services.collections.work_rules import counts_towards
from shared.events.payments import PaymentReceived


async def count_payment(session: AsyncSession, payment: PaymentReceived) -> None:
    """Count a payment towards the customer's open promises, earliest date first."""
    if payment.customer_id is None:
        return
    promises = (
        await session.exec(
            select(PromiseToPay)
            .where(PromiseToPay.customer_id == payment.customer_id)
            .where(col(PromiseToPay.kept_on).is_(None))
            .where(PromiseToPay.currency == payment.currency)
            .order_by(col(PromiseToPay.promised_on), col(PromiseToPay.id))
        )
    ).all()
    left = payment.amount
    for promise in promises:
        if left <= 0:
            break
        if not counts_towards(promise.promised_on, promise.recorded_on, payment.received_on):
            continue
        taken = min(left, promise.amount - promise.paid_amount)
        promise.paid_amount += taken
        left -= taken
        if promise.paid_amount >= promise.amount:
            promise.kept_on = payment.received_on
