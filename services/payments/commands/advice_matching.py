"""Where a remittance advice and its payment meet: by the 820's TRN reference (the payment's
reference or bank reference), or by the same payer, the same amount and dates at most
`advice_match_days` apart. The advice's lines then become the payment's remittance, which cash
application reads, its explanation naming the advice."""

import uuid
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import ColumnElement
from sqlmodel import and_, col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.payments.domain.matching.payers import PayerDirectory, normalise_name
from services.payments.domain.statuses import AdviceStatus, PaymentStatus
from services.payments.models import Payment, RemittanceAdvice, RemittanceLine, written_forms
from services.payments.settings import PaymentsSettings
from shared.audit import record_change
from shared.auth import Principal


def describe(advice: RemittanceAdvice) -> str:
    """The advice as an explanation names it."""
    words = [f"remittance advice {advice.id}"]
    if advice.subject:
        words.append(f"{advice.subject!r}")
    if advice.sender:
        words.append(f"from {advice.sender}")
    if advice.reference:
        words.append(f"(820 TRN {advice.reference})")
    return " ".join(words)


def _payment_customer(payment: Payment, directory: PayerDirectory) -> uuid.UUID | None:
    if payment.customer_id is not None:
        return payment.customer_id
    identified = directory.identify(payment.payer_name, payment.payer_account)
    return identified.customer_id if identified else None


def same_payer(advice: RemittanceAdvice, payment: Payment, directory: PayerDirectory) -> bool:
    customer = _payment_customer(payment, directory)
    if advice.customer_id is not None and customer is not None:
        return advice.customer_id == customer
    names = [normalise_name(n) for n in (advice.payer_name, payment.payer_name) if n]
    return len(names) == 2 and names[0] == names[1] != ""


def _by_reference(advice: RemittanceAdvice, payment: Payment) -> bool:
    return advice.reference is not None and advice.reference in (
        payment.reference,
        payment.bank_reference,
    )


async def payment_for(
    session: AsyncSession,
    advice: RemittanceAdvice,
    directory: PayerDirectory,
    rules: PaymentsSettings,
) -> Payment | None:
    """The payment the advice describes, if it was received already and nothing used it yet."""
    used = select(RemittanceAdvice.payment_id).where(col(RemittanceAdvice.payment_id).is_not(None))
    open_payments = select(Payment).where(
        Payment.status == PaymentStatus.RECEIVED,
        col(Payment.unapplied) > 0,
        Payment.currency == advice.currency,
        col(Payment.id).not_in(used),
    )
    if advice.reference:
        by_reference = (
            await session.exec(
                open_payments.where(
                    or_(
                        Payment.reference == advice.reference,
                        Payment.bank_reference == advice.reference,
                    )
                )
            )
        ).first()
        if by_reference is not None:
            return by_reference
    if advice.total is None:
        return None
    window = timedelta(days=rules.advice_match_days)
    candidates = (
        await session.exec(
            open_payments.where(
                col(Payment.amount).in_(written_forms(advice.total)),
                col(Payment.received_on) >= advice.paid_on - window,
                col(Payment.received_on) <= advice.paid_on + window,
            )
        )
    ).all()
    fitting = [p for p in candidates if same_payer(advice, p, directory)]
    fitting.sort(key=lambda p: (abs((p.received_on - advice.paid_on).days), p.created_at))
    return fitting[0] if fitting else None


async def advice_for(
    session: AsyncSession,
    payment: Payment,
    directory: PayerDirectory,
    rules: PaymentsSettings,
) -> RemittanceAdvice | None:
    """The waiting advice that describes the payment, if one arrived before it."""
    window = timedelta(days=rules.advice_match_days)
    references = [r for r in (payment.reference, payment.bank_reference) if r]
    ties: list[ColumnElement[bool]] = [
        and_(
            col(RemittanceAdvice.total).in_(written_forms(payment.amount)),
            col(RemittanceAdvice.paid_on) >= payment.received_on - window,
            col(RemittanceAdvice.paid_on) <= payment.received_on + window,
        )
    ]
    if references:
        ties.append(col(RemittanceAdvice.reference).in_(references))
    waiting = (
        await session.exec(
            select(RemittanceAdvice)
            .where(
                RemittanceAdvice.status == AdviceStatus.WAITING,
                RemittanceAdvice.currency == payment.currency,
                or_(*ties),
            )
            .order_by(col(RemittanceAdvice.created_at))
        )
    ).all()
    if not waiting:
        return None
    by_reference = [a for a in waiting if _by_reference(a, payment)]
    if by_reference:
        return by_reference[0]
    return next((a for a in waiting if same_payer(a, payment, directory)), None)


async def use_advice(
    session: AsyncSession, advice: RemittanceAdvice, payment: Payment, actor: Principal | None
) -> None:
    """The advice describes the payment: its invoice lines become the payment's remittance (a
    payment whose bank sent remittance keeps that), its payer the payment's if it had none, and
    the advice is marked used."""
    has_lines = (
        await session.exec(select(RemittanceLine).where(RemittanceLine.payment_id == payment.id))
    ).first() is not None
    if not has_lines:
        position = 0
        for line in advice.lines:
            if not line["invoice_number"]:
                continue  # a deduction of the whole payment: kept on the advice for review
            position += 1
            session.add(
                RemittanceLine(
                    payment_id=payment.id,
                    position=position,
                    invoice_number=line["invoice_number"],
                    amount_paid=_money(line["amount_paid"]),
                    discount=_money(line["discount"]),
                    reason_code=(line["deduction_reason"] or "deduction")[:100]
                    if line["deduction"]
                    else None,
                )
            )
    if payment.customer_id is None and advice.customer_id is not None:
        # The invoices the advice names are one customer's: the payer is known from now on.
        payment.customer_id = advice.customer_id
    advice.status, advice.payment_id = AdviceStatus.USED, payment.id
    advice.status_reason = (
        f"used for the payment of {payment.amount} received {payment.received_on:%Y-%m-%d}"
    )
    await session.flush()
    record_change(
        session,
        actor=actor,
        action="remittance_advice_used",
        entity_type="payment",
        entity_id=str(payment.id),
        changes={"advice_id": str(advice.id), "lines": len(advice.lines)},
    )


def _money(value: str | None) -> Decimal | None:
    return Decimal(value) if value is not None else None
