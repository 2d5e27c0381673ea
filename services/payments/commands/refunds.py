"""Refunds of unapplied credit: requested by the AR team, paid once an AR supervisor (not the
requester) approves. The amount is held from the payment while the request waits."""

import uuid
from datetime import date

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.payments.commands.applications import CashRuleBroken
from services.payments.commands.suggestions import supersede_stale
from services.payments.domain import posting
from services.payments.domain.statuses import PaymentStatus, RefundStatus
from services.payments.models import Payment, Refund
from services.payments.publishing import publish
from services.payments.queries import REFUNDS
from services.payments.schemas import RefundIn
from services.payments.settings import PaymentsSettings
from shared.audit import record_change
from shared.auth import UNLIMITED, Principal, Scope
from shared.events.payments import RefundIssued
from shared.money import is_whole_minor_units
from shared.periods import ensure_open


async def request_refund(
    session: AsyncSession, payment: Payment, data: RefundIn, actor: Principal
) -> Refund:
    if payment.status == PaymentStatus.REVERSED:
        raise CashRuleBroken("a reversed payment has nothing to refund")
    if payment.customer_id is None:
        raise CashRuleBroken("identify the payer (apply the payment) before refunding it")
    if not is_whole_minor_units(data.amount, payment.currency):
        raise CashRuleBroken(f"{data.amount} is not a whole amount of {payment.currency}")
    if data.amount > payment.unapplied:
        raise CashRuleBroken(
            f"refunding {data.amount} but the payment has only {payment.unapplied} unapplied"
        )
    payment.unapplied -= data.amount
    await supersede_stale(session, payment_id=payment.id)
    refund = Refund(
        payment_id=payment.id,
        customer_id=payment.customer_id,
        amount=data.amount,
        currency=payment.currency,
        reason=data.reason,
        requested_by=actor.subject,
    )
    session.add(refund)
    await session.flush()
    record_change(
        session,
        actor=actor,
        action="refund_requested",
        entity_type="refund",
        entity_id=str(refund.id),
        changes=data.model_dump(mode="json"),
        reason=data.reason,
    )
    return refund


async def get_refund(
    session: AsyncSession, refund_id: uuid.UUID, *, pending: bool = True, scope: Scope = UNLIMITED
) -> Refund:
    """The refund, or a 404 when it is unknown or outside the caller's scope; with `pending`,
    locked and refused unless it still waits for a decision."""
    statement = select(Refund).where(Refund.id == refund_id)
    refund = await REFUNDS.one(
        session, statement, scope, missing=f"no refund {refund_id}", lock=pending
    )
    if pending and refund.status != RefundStatus.PENDING_APPROVAL:
        raise CashRuleBroken(f"the refund was already {refund.status}")
    return refund


async def decide_refund(
    session: AsyncSession,
    refund: Refund,
    payment: Payment,
    *,
    approve: bool,
    on: date,
    rules: PaymentsSettings,
    actor: Principal,
) -> Refund:
    """Approve (pay it: Dr unapplied cash / Cr cash) or reject (the credit returns to the
    payment)."""
    if refund.requested_by == actor.subject:
        raise CashRuleBroken(
            "a refund is approved or rejected by someone other than who requested it"
        )
    refund.decided_by = actor.subject
    if approve:
        await ensure_open(session, on)
        refund.status, refund.issued_on = RefundStatus.ISSUED, on
        publish(
            session,
            RefundIssued(
                refund_id=refund.id,
                payment_id=refund.payment_id,
                customer_id=refund.customer_id,
                amount=refund.amount,
                currency=refund.currency,
                issued_on=on,
                approved_by=actor.subject,
                journal=posting.posted(
                    rules.chart, "refund", refund.id, on, refund.currency, refund.amount
                ),
            ),
            key=refund.customer_id,
            aggregate_id=refund.id,
        )
    else:
        refund.status = RefundStatus.REJECTED
        payment.unapplied += refund.amount
    record_change(
        session,
        actor=actor,
        action=f"refund_{refund.status}",
        entity_type="refund",
        entity_id=str(refund.id),
        changes={"status": refund.status, "amount": str(refund.amount)},
    )
    return refund
