"""Promises to pay: recorded by the collector, kept or broken by what the customer then pays
(and a returned payment keeps nothing)."""

import uuid
from collections import defaultdict
from decimal import Decimal

from sqlalchemy.orm import Session
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.collections.domain.work import counts_towards
from services.collections.handlers.batch import BatchState, batch_state
from services.collections.models import PromiseToPay
from shared.db import chunks
from shared.events.payments import PaymentReceived, PaymentReversed


async def count_payment(session: AsyncSession, payment: PaymentReceived) -> None:
    """Count a payment towards the customer's open promises, earliest date first: at commit,
    with the batch's other payments, in the order they came."""
    if payment.customer_id is not None:
        batch_state(session, _count_payments).payments.append(payment)


async def uncount_payment(session: AsyncSession, reversal: PaymentReversed) -> None:
    """A returned payment no longer keeps a promise: take it back off whatever it counted for
    (at commit, in its place among the batch's payments)."""
    if reversal.customer_id is not None:
        batch_state(session, _count_payments).payments.append(reversal)


def _count_payments(session: Session, state: BatchState) -> None:
    """One query for the promises of every customer who paid, then each payment in order.
    Only the collector records promises, never a consumer, so none is pending here."""
    customers = list({payment.customer_id for payment in state.payments})
    promises: dict[uuid.UUID | None, list[PromiseToPay]] = defaultdict(list)
    for ids in chunks(customers):
        statement = (
            select(PromiseToPay)
            .where(col(PromiseToPay.customer_id).in_(ids))
            .order_by(col(PromiseToPay.promised_on), col(PromiseToPay.id))
        )
        for promise in session.scalars(statement).all():
            promises[promise.customer_id].append(promise)
    for payment in state.payments:
        if isinstance(payment, PaymentReceived):
            _count(payment, promises[payment.customer_id])
        else:
            _uncount(payment, promises[payment.customer_id])


def _count(payment: PaymentReceived, promises: list[PromiseToPay]) -> None:
    left = payment.amount
    for promise in promises:
        if left <= 0:
            break
        if promise.kept_on is not None or promise.currency != payment.currency:
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


def _uncount(reversal: PaymentReversed, promises: list[PromiseToPay]) -> None:
    key = str(reversal.payment_id)
    for promise in promises:
        if key not in promise.counted_payments:
            continue
        promise.paid_amount -= Decimal(promise.counted_payments[key])
        promise.counted_payments = {k: v for k, v in promise.counted_payments.items() if k != key}
        if promise.paid_amount < promise.amount:
            promise.kept_on = None
