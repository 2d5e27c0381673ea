"""What payments tell invoicing: how much of each invoice is paid (or written off), so a void
or a credit memo never goes past what is really open."""

from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from services.invoicing.models.invoices import Invoice
from shared.events.envelope import EventEnvelope
from shared.events.payments import PaymentApplied, PaymentUnapplied, WriteOffPosted
from shared.inbox import HandlerContext


async def _add_paid(session: AsyncSession, invoice_id: object, amount: Decimal) -> None:
    invoice = await session.get(Invoice, invoice_id, with_for_update=True)
    if invoice is not None:  # an invoice of another system is none of ours
        invoice.paid += amount


async def on_payment_applied(
    context: HandlerContext, envelope: EventEnvelope, event: PaymentApplied
) -> None:
    await _add_paid(context.session, event.invoice_id, event.amount + event.discount)


async def on_payment_unapplied(
    context: HandlerContext, envelope: EventEnvelope, event: PaymentUnapplied
) -> None:
    await _add_paid(context.session, event.invoice_id, -(event.amount + event.discount))


async def on_write_off(
    context: HandlerContext, envelope: EventEnvelope, event: WriteOffPosted
) -> None:
    await _add_paid(context.session, event.invoice_id, event.amount)


HANDLERS = {
    PaymentApplied: on_payment_applied,
    PaymentUnapplied: on_payment_unapplied,
    WriteOffPosted: on_write_off,
}
