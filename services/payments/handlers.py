"""Every event payments consumes: customer events keep its copy of each payer; invoicing's events
keep payments' own copy of open invoices, built from invoicing's events (it never reads invoicing's
database): issued invoices open, voids close them, and credit memos are settlement sources payments
applies to the open balance it alone decides on
(docs/architecture.md#one-authority-over-an-open-balance). An invoice issued for work a deposit
was taken for takes that deposit at once."""

from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement
from sqlmodel import col, or_, select

from services.payments.commands.applications import (
    Basis,
    active_applications,
    apply_to_invoice,
    unapply,
)
from services.payments.commands.credit_memos import receive_credit_memo
from services.payments.commands.suggestions import supersede_stale
from services.payments.commands.write_offs import reverse_write_offs
from services.payments.domain.matching.references import number_keys
from services.payments.domain.statuses import InvoiceStatus
from services.payments.models import CreditMemoCredit, Deposit, OpenItem, Payer
from shared.audit import record_change
from shared.events.catalog import EventPayload
from shared.events.customers import CustomerSnapshot
from shared.events.envelope import EventEnvelope
from shared.events.invoicing import CreditMemoIssued, InvoiceIssued, InvoiceVoided
from shared.inbox import EventHandler, HandlerContext
from shared.periods import PERIOD_HANDLERS
from shared.replica import customer_copy_handlers


def keys_of(number: str) -> tuple[str, str]:
    """The (number_key, serial_key) columns a mangled reference is looked up by."""
    keys = number_keys(number)
    return (keys.nozero, keys.serial) if keys else (number.upper(), number.upper())


async def on_invoice_issued(
    context: HandlerContext, envelope: EventEnvelope, event: InvoiceIssued
) -> None:
    session = context.session
    if await session.get(OpenItem, event.invoice_id) is not None:
        return  # already known (a replay of the same invoice under another event id)
    number_key, serial_key = keys_of(event.number)
    item = OpenItem(
        id=event.invoice_id,
        number=event.number,
        number_key=number_key,
        serial_key=serial_key,
        customer_id=event.customer_id,
        currency=event.currency,
        invoice_date=event.invoice_date,
        due_date=event.due_date,
        discount_due_date=event.discount_due_date,
        discount_amount=event.discount_amount,
        po_number=event.po_number,
        job_site=event.job_site,
        ticket_numbers=sorted({line.ticket_number for line in event.lines if line.ticket_number}),
        total=event.total,
        # An imported invoice may come with part of it settled in the legacy system already.
        balance=event.owed,
        status=InvoiceStatus.OPEN if event.owed > 0 else InvoiceStatus.PAID,
    )
    session.add(item)
    await session.flush()
    await _apply_deposits(context, item)


async def _apply_deposits(context: HandlerContext, item: OpenItem) -> None:
    """Deposits the customer paid for this work (same ticket, PO or job site) settle it first."""
    session = context.session
    ties: list[ColumnElement[bool]] = []
    if item.ticket_numbers:
        ties.append(col(Deposit.ticket_number).in_(item.ticket_numbers))
    if item.po_number:
        ties.append(col(Deposit.po_number) == item.po_number)
    if item.job_site:
        ties.append(col(Deposit.job_site) == item.job_site)
    if not ties:
        return
    deposits = (
        await session.exec(
            select(Deposit)
            .where(
                Deposit.customer_id == item.customer_id,
                Deposit.currency == item.currency,
                or_(*ties),
            )
            .order_by(col(Deposit.received_on))
        )
    ).all()
    rules = context.settings
    for deposit in deposits:
        amount = min(deposit.remaining, item.balance)
        if amount <= 0:
            continue
        await apply_to_invoice(
            session,
            rules.chart,
            deposit,
            item,
            amount,
            applied_on=item.invoice_date,
            actor=None,
            basis=Basis(automatic=True, explanation=f"deposit taken for {_tie(deposit, item)}"),
        )


def _tie(deposit: Deposit, item: OpenItem) -> str:
    if deposit.ticket_number and deposit.ticket_number in item.ticket_numbers:
        return f"ticket {deposit.ticket_number}"
    if deposit.po_number and deposit.po_number == item.po_number:
        return f"PO {deposit.po_number}"
    return f"job site {deposit.job_site}"


async def on_credit_memo_issued(
    context: HandlerContext, envelope: EventEnvelope, event: CreditMemoIssued
) -> None:
    session = context.session
    if event.invoice_id is None:
        return  # an on-account credit is no invoice's balance: collections tracks it
    item = await session.get(OpenItem, event.invoice_id, with_for_update=True)
    if item is None or await session.get(CreditMemoCredit, event.credit_memo_id) is not None:
        return  # another system's invoice, or a replay of the same memo under another event id
    credit = CreditMemoCredit(
        id=event.credit_memo_id,
        number=event.number,
        invoice_id=item.id,
        customer_id=event.customer_id,
        currency=event.currency,
        total=event.total,
        on_account=event.total,
        issued_on=event.issued_on,
    )
    receive_credit_memo(session, credit, item)
    await supersede_stale(session, invoice_id=item.id)


async def on_invoice_voided(
    context: HandlerContext, envelope: EventEnvelope, event: InvoiceVoided
) -> None:
    session = context.session
    item = await session.get(OpenItem, event.invoice_id, with_for_update=True)
    if item is None or item.status == InvoiceStatus.VOIDED:
        return
    gl = context.settings.chart
    # Cash on a voided invoice goes back to its payment, to be applied elsewhere or refunded.
    for application in await active_applications(session, invoice_id=item.id):
        await unapply(
            session,
            gl,
            application,
            reason=f"invoice voided: {event.reason}",
            on=event.voided_on,
            actor=None,
        )
    item.status, item.balance = InvoiceStatus.VOIDED, Decimal(0)
    await supersede_stale(session, invoice_id=item.id)
    # A write-off that crossed the void: nothing of a voided invoice is bad debt.
    await reverse_write_offs(
        session, gl, item, reason=f"invoice voided: {event.reason}", on=event.voided_on
    )
    record_change(
        session,
        actor=None,
        action="invoice_voided",
        entity_type="invoice",
        entity_id=str(item.id),
        changes={"status": InvoiceStatus.VOIDED},
        reason=event.reason,
    )


# What cash application needs to recognise a payer: its account number and the names it pays under;
# and its district, which a scoped token's reach is judged by.
PAYER_FACTS = {"account_number", "legal_name", "dba", "status", "currency", "business_district"}


def payer_facts(customer: CustomerSnapshot) -> dict[str, Any]:
    return customer.model_dump(mode="json", include=PAYER_FACTS)


HANDLERS: dict[type[EventPayload], EventHandler] = {
    **customer_copy_handlers(Payer, payer_facts),
    InvoiceIssued: on_invoice_issued,
    CreditMemoIssued: on_credit_memo_issued,
    InvoiceVoided: on_invoice_voided,
    **PERIOD_HANDLERS,
}
