"""Recording a payment (typed in, or read from a bank file) and reversing a returned one."""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlmodel import col, select
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
from services.payments.domain.duplicates import Receipt, payer_of, same_money
from services.payments.domain.matching.payers import PayerDirectory
from services.payments.domain.statuses import PaymentStatus, RefundStatus, SuggestionStatus
from services.payments.models import Payment, Refund, RemittanceLine, Suggestion
from services.payments.publishing import publish
from services.payments.schemas import PaymentIn
from services.payments.settings import PaymentsSettings
from shared.api.problems import Conflict, NotFound
from shared.audit import record_change
from shared.auth import Principal
from shared.clock import check_not_ahead
from shared.db import RowBatch
from shared.events.payments import PaymentReceived, PaymentReversed
from shared.periods import ensure_open, posting_date


class ProbableDuplicate(Conflict):
    slug, title = "probable-duplicate-payment", "This payment looks like one recorded before"


def as_receipt(payment: Payment | PaymentIn, reference: str | None) -> Receipt:
    """What the duplicate rule compares; `reference` is the bank's for a bank-file transaction,
    the check number (or the payer's reference) for a typed payment."""
    return Receipt(
        reference=reference,
        amount=payment.amount,
        currency=payment.currency,
        received_on=payment.received_on,
        bank_account=payment.bank_account,
        payer=payer_of(payment.customer_id, payment.payer_account, payment.payer_name),
    )


async def earlier_same_money(
    session: AsyncSession,
    candidates: Iterable[tuple[str, Receipt]],
    rules: PaymentsSettings,
    *,
    by_bank_reference: bool,
) -> dict[str, Payment]:
    """The earlier payment (not reversed) each candidate is the same money as, by the key given
    with it. Bank-file transactions are compared by bank reference, typed payments by theirs."""
    wanted = [(key, receipt) for key, receipt in candidates if receipt.reference]
    column = col(Payment.bank_reference) if by_bank_reference else col(Payment.reference)
    window = timedelta(days=rules.duplicate_window_days)
    found: dict[str, Payment] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        days = [r.received_on for _, r in chunk]
        statement = select(Payment).where(
            column.in_({r.reference for _, r in chunk}),
            Payment.status != PaymentStatus.REVERSED,
            col(Payment.received_on).between(min(days) - window, max(days) + window),
        )
        if not by_bank_reference:
            statement = statement.where(col(Payment.bank_file_id).is_(None))
        earlier = [
            (p, as_receipt(p, p.bank_reference if by_bank_reference else p.reference))
            for p in (await session.exec(statement.order_by(col(Payment.created_at)))).all()
        ]
        for key, receipt in chunk:
            window_days = rules.duplicate_window_days
            match = next((p for p, e in earlier if same_money(e, receipt, window_days)), None)
            if match is not None:
                found[key] = match
    return found


async def record_typed_payment(
    session: AsyncSession,
    data: PaymentIn,
    rules: PaymentsSettings,
    actor: Principal,
    *,
    today: date,
) -> Payment:
    """A payment typed in: not dated beyond the tolerance ahead, and not the same check entered
    again (a 409 naming the first) unless the request says it is a second payment."""
    check_not_ahead(
        data.received_on, today=today, tolerance_days=rules.max_future_days, what="received_on"
    )
    if not data.second_payment:
        earlier = (
            await earlier_same_money(
                session,
                [("typed", as_receipt(data, data.reference))],
                rules,
                by_bank_reference=False,
            )
        ).get("typed")
        if earlier is not None:
            raise ProbableDuplicate(
                f"payment {earlier.id} of {earlier.amount} {earlier.currency} under reference "
                f"{earlier.reference!r} from the same payer was received on "
                f"{earlier.received_on}; send `second_payment: true` if this is another one",
                earlier_payment_id=str(earlier.id),
            )
    return await record_payment(session, data, rules, actor)


async def record_payment(
    session: AsyncSession,
    data: PaymentIn,
    rules: PaymentsSettings,
    actor: Principal,
) -> Payment:
    """Record a typed payment (Dr cash / Cr unapplied cash), then apply what cash application is
    sure of."""
    received_on = await posting_date(session, data.received_on, rules.closed_month_policy)
    if data.customer_id is not None:
        await check_payer(session, data.customer_id, data.currency)
    payment = _add_payment(session, data, received_on, rules, actor, BankOrigin())
    await session.flush()
    await apply_cash(session, [payment], rules)
    return payment


@dataclass(frozen=True, slots=True)
class BankOrigin:
    """Where in a bank file a payment came from (nothing for a typed one)."""

    bank_reference: str | None = None
    bank_file_id: uuid.UUID | None = None
    file_line: int | None = None


async def add_bank_payment(
    session: AsyncSession,
    data: PaymentIn,
    origin: BankOrigin,
    rules: PaymentsSettings,
    actor: Principal,
    posting_dates: dict[date, date],
    batch: RowBatch,
) -> Payment:
    """A bank file's receipt added to the session (its audit entry and event to the chunk's
    `batch`), not yet flushed nor applied: a file's payments are written and applied a chunk at
    a time (`apply_bank_payments`). `posting_dates` is the file's cache of the date each
    received date posts on (closed months do not change during an import)."""
    if data.received_on not in posting_dates:
        posting_dates[data.received_on] = await posting_date(
            session, data.received_on, rules.closed_month_policy
        )
    return _add_payment(session, data, posting_dates[data.received_on], rules, actor, origin, batch)


async def apply_bank_payments(
    session: AsyncSession,
    payments: list[Payment],
    rules: PaymentsSettings,
    directory: PayerDirectory,
    batch: RowBatch,
) -> None:
    """A chunk of added payments written in one flush (with their remittance lines), then
    applied in file order, set-based for the chunk (see cash_application.py); the chunk's audit
    entries, events and applications are written at once at its end."""
    await session.flush()
    await apply_cash(session, payments, rules, directory, batch=batch)


def _add_payment(
    session: AsyncSession,
    data: PaymentIn,
    received_on: date,
    rules: PaymentsSettings,
    actor: Principal,
    origin: BankOrigin,
    batch: RowBatch | None = None,
) -> Payment:
    """The receipt, its remittance lines, audit entry and event added to the session (flushed by
    the caller), the audit entry and event to the `batch` if one is given."""
    payment = Payment(
        customer_id=data.customer_id,
        method=data.method,
        amount=data.amount,
        currency=data.currency,
        received_on=received_on,
        # Moved out of a closed month by the setting: the payment keeps the date it came with.
        redated_from=data.received_on if received_on != data.received_on else None,
        reference=data.reference,
        bank_reference=origin.bank_reference,
        payer_name=data.payer_name,
        payer_account=data.payer_account,
        memo=data.memo,
        unapplied=data.amount,
        bank_file_id=origin.bank_file_id,
        file_line=origin.file_line,
        bank_account=data.bank_account,
        received_by=actor.subject,
    )
    session.add(payment)
    for position, line in enumerate(data.remittance, start=1):
        session.add(RemittanceLine(payment_id=payment.id, position=position, **line.model_dump()))
    journal = audit_receipt(session, rules.chart, "payment", payment, data, actor, batch)
    publish(
        session,
        PaymentReceived(
            payment_id=payment.id,
            customer_id=payment.customer_id,
            method=payment.method,
            amount=payment.amount,
            currency=payment.currency,
            received_on=payment.received_on,
            reference=payment.reference or origin.bank_reference,
            payer_name=payment.payer_name,
            journal=journal,
        ),
        key=payment.customer_id or payment.id,
        aggregate_id=payment.id,
        batch=batch,
    )
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
    payment.reversal_reason = reason[:500]
    receipt = posting.posted(
        rules.chart,
        "payment",
        payment.id,
        on,
        payment.currency,
        payment.amount,
        bank_account=payment.bank_account,
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
