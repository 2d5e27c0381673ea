"""Applying cash (of a payment or a deposit) to an invoice, and undoing it. Every application
checks what the payment has left, what the invoice has open and whose invoice it is; every
application and unapplication is audited and published with its journal entry."""

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.payments.commands.credit_memos import resettle
from services.payments.commands.suggestions import supersede_stale
from services.payments.domain import posting
from services.payments.domain.statuses import ApplicationStatus, InvoiceStatus, PaymentStatus
from services.payments.models import Application, Deposit, OpenItem, Payer, Payment
from services.payments.publishing import publish
from shared.api.problems import BusinessRuleViolation, NotKnownYet
from shared.audit import record_change
from shared.auth import Principal
from shared.db import RowBatch, new_id
from shared.events.journal import JournalEntry
from shared.events.payments import PaymentApplied, PaymentUnapplied
from shared.journal import ChartOfAccounts
from shared.money import is_whole_minor_units


class CashRuleBroken(BusinessRuleViolation):
    """A payments rule the request would break; the detail says which."""


@dataclass(frozen=True)
class Basis:
    """How an application came about, kept on it for the review trail."""

    automatic: bool = False
    confidence: Decimal | None = None
    explanation: str | None = None
    reason_code: str | None = None


def _check(
    source: Payment | Deposit,
    available: Decimal,
    invoice: OpenItem,
    amount: Decimal,
    discount: Decimal,
) -> None:
    what = "payment" if isinstance(source, Payment) else "deposit"
    if isinstance(source, Payment) and source.status == PaymentStatus.REVERSED:
        raise CashRuleBroken(f"payment {source.id} was reversed; nothing can be applied from it")
    if invoice.status == InvoiceStatus.VOIDED:
        raise CashRuleBroken(f"invoice {invoice.number} was voided")
    if source.customer_id is not None and invoice.customer_id != source.customer_id:
        raise CashRuleBroken(
            f"invoice {invoice.number} belongs to another customer than this {what}"
        )
    if invoice.currency != source.currency:
        raise CashRuleBroken(
            f"invoice {invoice.number} is in {invoice.currency}, the {what} in {source.currency}"
        )
    if not (
        is_whole_minor_units(amount, invoice.currency)
        and is_whole_minor_units(discount, invoice.currency)
    ):
        raise CashRuleBroken(f"{amount} and {discount} must be whole amounts of {invoice.currency}")
    if amount > available:
        raise CashRuleBroken(f"applying {amount} but the {what} has only {available} left")
    if amount + discount > invoice.balance:
        raise CashRuleBroken(
            f"applying {amount + discount} but invoice {invoice.number} "
            f"has only {invoice.balance} open"
        )


async def apply_to_invoice(
    session: AsyncSession,
    gl: ChartOfAccounts,
    source: Payment | Deposit,
    invoice: OpenItem,
    amount: Decimal,
    *,
    discount: Decimal = Decimal(0),
    applied_on: date,
    actor: Principal | None,
    basis: Basis = Basis(),
) -> Application:
    """Move `amount` of the payment's unapplied cash (or the deposit) onto the invoice."""
    application_id = settle(
        session,
        gl,
        source,
        invoice,
        amount,
        discount=discount,
        applied_on=applied_on,
        actor=actor,
        basis=basis,
    )
    await session.flush()
    await supersede_stale(session, invoice_id=invoice.id)
    if not isinstance(source, Deposit):
        await supersede_stale(session, payment_id=source.id)
    application = await session.get(Application, application_id)  # in the session: no query
    assert application is not None
    return application


def settle(
    session: AsyncSession,
    gl: ChartOfAccounts,
    source: Payment | Deposit,
    invoice: OpenItem,
    amount: Decimal,
    *,
    discount: Decimal,
    applied_on: date,
    actor: Principal | None,
    basis: Basis,
    batch: RowBatch | None = None,
) -> uuid.UUID:
    """The application (its id returned) added to the session, or the `batch`, with its audit
    entry and event, not flushed, and no suggestion superseded: `apply_to_invoice` does both,
    cash application once for its chunk of payments."""
    from_deposit = isinstance(source, Deposit)
    available = source.remaining if isinstance(source, Deposit) else source.unapplied
    _check(source, available, invoice, amount, discount)
    if isinstance(source, Deposit):
        source.remaining -= amount
    else:
        source.unapplied -= amount
        source.customer_id = invoice.customer_id  # an unknown payer is known from now on
    invoice.balance -= amount + discount
    invoice.status = InvoiceStatus.PAID if invoice.balance <= 0 else InvoiceStatus.OPEN
    invoice.short_pay_reason = basis.reason_code if invoice.balance > 0 else None
    application: dict[str, Any] = {
        "id": new_id(),
        "payment_id": None if from_deposit else source.id,
        "deposit_id": source.id if from_deposit else None,
        "invoice_id": invoice.id,
        "invoice_number": invoice.number,
        "customer_id": invoice.customer_id,
        "currency": invoice.currency,
        "amount": amount,
        "discount": discount,
        "applied_on": applied_on,
        "automatic": basis.automatic,
        "confidence": basis.confidence,
        "explanation": basis.explanation,
        "reason_code": basis.reason_code,
        "applied_by": actor.subject if actor else "cash-application",
    }
    if batch is None:
        session.add(Application(**application))
    else:
        batch.add(Application, **application)
    record_change(
        session,
        actor=actor,
        action="cash_applied",
        entity_type="invoice",
        entity_id=str(invoice.id),
        changes={
            "application_id": str(application["id"]),
            "amount": str(amount),
            "discount": str(discount),
            "balance": str(invoice.balance),
            "automatic": basis.automatic,
        },
        reason=basis.explanation,
        batch=batch,
    )
    entry = posting.applied(
        gl,
        application["id"],
        applied_on,
        invoice.currency,
        amount,
        discount,
        from_deposit=from_deposit,
    )
    publish(
        session,
        PaymentApplied(
            application_id=application["id"],
            payment_id=application["payment_id"],
            deposit_id=application["deposit_id"],
            customer_id=invoice.customer_id,
            invoice_id=invoice.id,
            invoice_number=invoice.number,
            currency=invoice.currency,
            amount=amount,
            discount=discount,
            applied_on=applied_on,
            automatic=basis.automatic,
            journal=entry,
        ),
        key=invoice.customer_id,
        aggregate_id=invoice.id,
        batch=batch,
    )
    return application["id"]


async def unapply(
    session: AsyncSession,
    gl: ChartOfAccounts,
    application: Application,
    *,
    reason: str,
    on: date,
    actor: Principal | None,
) -> None:
    """Undo an application: the cash returns to the payment (or deposit), the invoice reopens,
    and credit its memos hold on account settles it again first."""
    if application.status != ApplicationStatus.ACTIVE:
        raise CashRuleBroken(f"application {application.id} was already unapplied")
    invoice = await session.get(OpenItem, application.invoice_id, with_for_update=True)
    assert invoice is not None  # applications only exist against known open items
    if application.deposit_id:
        deposit = await session.get(Deposit, application.deposit_id, with_for_update=True)
        assert deposit is not None
        deposit.remaining += application.amount
    else:
        payment = await session.get(Payment, application.payment_id, with_for_update=True)
        assert payment is not None
        payment.unapplied += application.amount
    if invoice.status != InvoiceStatus.VOIDED:
        invoice.balance += application.amount + application.discount
        invoice.status = InvoiceStatus.OPEN
    application.status, application.unapplied_on, application.unapply_reason = (
        ApplicationStatus.UNAPPLIED,
        on,
        reason,
    )
    record_change(
        session,
        actor=actor,
        action="cash_unapplied",
        entity_type="invoice",
        entity_id=str(invoice.id),
        changes={
            "application_id": str(application.id),
            "amount": str(application.amount),
            "balance": str(invoice.balance),
        },
        reason=reason,
    )
    original = posting.applied(
        gl,
        application.id,
        on,
        application.currency,
        application.amount,
        application.discount,
        from_deposit=application.deposit_id is not None,
    )
    publish(
        session,
        PaymentUnapplied(
            application_id=application.id,
            payment_id=application.payment_id,
            deposit_id=application.deposit_id,
            customer_id=application.customer_id,
            invoice_id=application.invoice_id,
            invoice_number=application.invoice_number,
            currency=application.currency,
            amount=application.amount,
            discount=application.discount,
            unapplied_on=on,
            reason=reason,
            journal=posting.reversed_entry(
                original, source="unapplication", posted_on=on, memo=reason
            ),
        ),
        key=application.customer_id,
        aggregate_id=application.invoice_id,
    )
    await resettle(session, invoice, on)


async def check_payer(session: AsyncSession, customer_id: uuid.UUID, currency: str) -> None:
    """Money is taken only from a customer payments knows, in the one currency it is billed in."""
    payer = await session.get(Payer, customer_id)
    if payer is None:
        raise CashRuleBroken(f"payments knows no customer {customer_id}")
    if payer.currency != currency:
        raise CashRuleBroken(
            f"customer {payer.account_number} is billed in {payer.currency}, not {currency}"
        )


def audit_receipt(
    session: AsyncSession,
    gl: ChartOfAccounts,
    what: str,
    receipt: Payment | Deposit,
    data: BaseModel,
    actor: Principal,
    batch: RowBatch | None = None,
) -> JournalEntry:
    """Audit money taken (`what` is "payment" or "deposit") and return its journal entry: Dr cash,
    Cr unapplied cash or customer deposits."""
    record_change(
        session,
        actor=actor,
        action=f"{what}_received",
        entity_type=what,
        entity_id=str(receipt.id),
        changes=data.model_dump(mode="json"),
        batch=batch,
    )
    return posting.posted(
        gl,
        what,
        receipt.id,
        receipt.received_on,
        receipt.currency,
        receipt.amount,
        bank_account=receipt.bank_account if isinstance(receipt, Payment) else None,
    )


async def active_applications(session: AsyncSession, **where: uuid.UUID) -> list[Application]:
    """The active applications of a payment, deposit or invoice (`payment_id=...` etc.)."""
    statement = select(Application).where(Application.status == ApplicationStatus.ACTIVE)
    for column, value in where.items():
        statement = statement.where(getattr(Application, column) == value)
    return list((await session.exec(statement.order_by(col(Application.created_at)))).all())


async def get_open_item(session: AsyncSession, invoice_id: uuid.UUID) -> OpenItem:
    """The invoice to settle, locked. One payments has not heard of may have been issued a
    moment ago, its event still on the way (under load, seconds): a 409 to retry, not a 404."""
    invoice = await session.get(OpenItem, invoice_id, with_for_update=True)
    if invoice is None:
        raise NotKnownYet(
            f"payments does not know invoice {invoice_id} yet: an invoice just issued reaches "
            "payments within seconds, so retry then; one that was never issued stays unknown"
        )
    return invoice
