"""What the customers service consumes: credit's holds, approvals and credit lines, shown on the
customer; and invoicing's and payments' events, for what is still open on each invoice."""

from decimal import Decimal

from services.customers.commands import credit, open_invoices
from shared.events.credit import (
    CreditApplicationApproved,
    CreditHoldPlaced,
    CreditHoldReleased,
    CreditLimitChanged,
)
from shared.events.envelope import EventEnvelope
from shared.events.invoicing import InvoiceIssued, InvoiceVoided
from shared.events.payments import (
    CreditMemoApplied,
    PaymentApplied,
    PaymentUnapplied,
    WriteOffPosted,
    WriteOffReversed,
)
from shared.inbox import HandlerContext


async def on_credit_hold_placed(
    context: HandlerContext, envelope: EventEnvelope, event: CreditHoldPlaced
) -> None:
    await credit.set_credit_hold(
        context.session, context.clock, event.customer_id, True, "; ".join(event.reasons)
    )


async def on_credit_hold_released(
    context: HandlerContext, envelope: EventEnvelope, event: CreditHoldReleased
) -> None:
    await credit.set_credit_hold(
        context.session, context.clock, event.customer_id, False, event.reason
    )


async def on_credit_application_approved(
    context: HandlerContext, envelope: EventEnvelope, event: CreditApplicationApproved
) -> None:
    """Credit approved the customer's application: its checklist item is received."""
    await credit.receive_credit_application(
        context.session,
        context.clock,
        event.customer_id,
        f"credit application {event.application_id} approved by {event.approved_by}",
    )


async def on_credit_limit_changed(
    context: HandlerContext, envelope: EventEnvelope, event: CreditLimitChanged
) -> None:
    """Credit set the customer's limit and terms: the customer record takes them."""
    await credit.set_credit_line(context.session, context.clock, event)


async def on_invoice_issued(
    context: HandlerContext, envelope: EventEnvelope, event: InvoiceIssued
) -> None:
    await open_invoices.invoice_issued(context.session, event)


async def on_invoice_voided(
    context: HandlerContext, envelope: EventEnvelope, event: InvoiceVoided
) -> None:
    await open_invoices.invoice_voided(context.session, event)


Settlement = (
    PaymentApplied | PaymentUnapplied | CreditMemoApplied | WriteOffPosted | WriteOffReversed
)


def _taken_off(event: Settlement) -> Decimal:
    """What the event took off the invoice's open balance (negative: put back on)."""
    if isinstance(event, PaymentApplied):
        return event.amount + event.discount
    if isinstance(event, PaymentUnapplied):
        return -(event.amount + event.discount)
    if isinstance(event, WriteOffReversed):
        return -event.amount
    return event.amount


async def on_settlement(
    context: HandlerContext, envelope: EventEnvelope, event: Settlement
) -> None:
    await open_invoices.settled(
        context.session,
        invoice_id=event.invoice_id,
        customer_id=event.customer_id,
        currency=event.currency,
        number=event.invoice_number,
        amount=_taken_off(event),
    )


HANDLERS = {
    CreditHoldPlaced: on_credit_hold_placed,
    CreditHoldReleased: on_credit_hold_released,
    CreditApplicationApproved: on_credit_application_approved,
    CreditLimitChanged: on_credit_limit_changed,
    InvoiceIssued: on_invoice_issued,
    InvoiceVoided: on_invoice_voided,
    PaymentApplied: on_settlement,
    PaymentUnapplied: on_settlement,
    CreditMemoApplied: on_settlement,
    WriteOffPosted: on_settlement,
    WriteOffReversed: on_settlement,
}
