"""Recording a payment (typed in, or read from a bank file) and reversing a returned one."""

import uuid
from datetime import date
from decimal import Decimal

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.payments.commands.applications import (
    CashRuleBroken,
    active_applications,
    audit_receipt,
    check_payer,
    unapply,
)
from services.payments.commands.cash_application import apply_cash
from services.payments.domain import posting
from services.payments.domain.matching.payers import PayerDirectory
from services.payments.domain.statuses import PaymentStatus, RefundStatus, SuggestionStatus
from services.payments.models import Payment, Refund, RemittanceLine, Suggestion
from services.payments.publishing import publish
from services.payments.schemas import PaymentIn
from services.payments.settings import PaymentsSettings
from shared.api.problems import NotFound
from shared.audit import record_change
from shared.auth import Principal
from shared.events.payments import PaymentReceived, PaymentReversed
from shared.periods import ensure_open, posting_date


async def record_payment(
    session: AsyncSession,
    data: PaymentIn,
    rules: PaymentsSettings,
    actor: Principal,
    *,
    bank_reference: str | None = None,
    bank_file_id: uuid.UUID | None = None,
    file_line: int | None = None,
    directory: PayerDirectory | None = None,
) -> Payment:
    """Record the receipt (Dr cash / Cr unapplied cash), then apply what cash application is
    sure of."""
    received_on = await posting_date(session, data.received_on, rules.closed_month_policy)
    if data.customer_id is not None:
        await check_payer(session, data.customer_id, data.currency)
    payment = Payment(
        customer_id=data.customer_id,
        method=data.method,
        amount=data.amount,
        currency=data.currency,
        received_on=received_on,
        # Moved out of a closed month by the setting: the payment keeps the date it came with.
        redated_from=data.received_on if received_on != data.received_on else None,
        reference=data.reference,
        bank_reference=bank_reference,
        payer_name=data.payer_name,
        payer_account=data.payer_account,
        memo=data.memo,
        unapplied=data.amount,
        bank_file_id=bank_file_id,
        file_line=file_line,
        received_by=actor.subject,
    )
    session.add(payment)
    await session.flush()
    for position, line in enumerate(data.remittance, start=1):
        session.add(RemittanceLine(payment_id=payment.id, position=position, **line.model_dump()))
    journal = audit_receipt(session, rules.chart, "payment", payment, data, actor)
    publish(
        session,
        PaymentReceived(
            payment_id=payment.id,
            customer_id=payment.customer_id,
            method=payment.method,
            amount=payment.amount,
            currency=payment.currency,
            received_on=payment.received_on,
            reference=payment.reference or bank_reference,
            payer_name=payment.payer_name,
            journal=journal,
        ),
        key=payment.customer_id or payment.id,
        aggregate_id=payment.id,
    )
    await session.flush()
    await apply_cash(session, payment, rules, directory)
    return payment


async def get_payment(
    session: AsyncSession, payment_id: uuid.UUID, *, lock: bool = False
) -> Payment:
    payment = await session.get(Payment, payment_id, with_for_update=lock)
    if payment is None:
        raise NotFound(f"no payment {payment_id}")
    return payment


async def reverse_payment(
    session: AsyncSession,
    payment: Payment,
    reason: str,
    on: date,
    rules: PaymentsSettings,
    actor: Principal,
) -> Payment:
    """A returned or NSF payment: undo its applications (the invoices reopen), then reverse the
    receipt."""
    await ensure_open(session, on)
    if payment.status == PaymentStatus.REVERSED:
        raise CashRuleBroken(f"payment {payment.id} was already reversed")
    refunds = (
        await session.exec(
            select(Refund).where(
                Refund.payment_id == payment.id, Refund.status != RefundStatus.REJECTED
            )
        )
    ).all()
    if refunds:
        raise CashRuleBroken(
            "part of this payment was refunded; reverse the refund with the bank first"
        )
    for application in await active_applications(session, payment_id=payment.id):
        await unapply(
            session,
            rules.chart,
            application,
            reason=f"payment reversed: {reason}",
            on=on,
            actor=actor,
        )
    for suggestion in (
        await session.exec(
            select(Suggestion).where(
                Suggestion.payment_id == payment.id, Suggestion.status == SuggestionStatus.PENDING
            )
        )
    ).all():
        suggestion.status, suggestion.decided_by = SuggestionStatus.DISMISSED, actor.subject
    payment.status, payment.unapplied = PaymentStatus.REVERSED, Decimal(0)
    receipt = posting.posted(
        rules.chart, "payment", payment.id, on, payment.currency, payment.amount
    )
    record_change(
        session,
        actor=actor,
        action="payment_reversed",
        entity_type="payment",
        entity_id=str(payment.id),
        changes={"status": {"from": PaymentStatus.RECEIVED, "to": PaymentStatus.REVERSED}},
        reason=reason,
    )
    publish(
        session,
        PaymentReversed(
            payment_id=payment.id,
            customer_id=payment.customer_id,
            amount=payment.amount,
            currency=payment.currency,
            reversed_on=on,
            reason=reason,
            journal=posting.reversed_entry(
                receipt, source="payment_reversal", posted_on=on, memo=reason
            ),
        ),
        key=payment.customer_id or payment.id,
        aggregate_id=payment.id,
    )
    return payment
