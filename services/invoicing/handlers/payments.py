"""What payments tell invoicing: how much of each invoice is paid (or written off), and how much
of each credit memo payments, the one authority over open balances, kept on account because the
invoice was settled already, so a void or a credit memo never goes past what is really open."""

import uuid
from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from services.invoicing.models.credit_memos import CreditMemo
from services.invoicing.models.invoices import Invoice
from shared.audit import record_change
from shared.events.envelope import EventEnvelope
from shared.events.payments import (
    CreditMemoApplied,
    PaymentApplied,
    PaymentUnapplied,
    WriteOffPosted,
    WriteOffReversed,
)
from shared.inbox import HandlerContext


async def _add_paid(
    session: AsyncSession, invoice_id: uuid.UUID, amount: Decimal
) -> Invoice | None:
    invoice = await session.get(Invoice, invoice_id, with_for_update=True)
    if invoice is not None:  # an invoice of another system is none of ours
        invoice.paid += amount
    return invoice


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
    invoice = await _add_paid(context.session, event.invoice_id, event.amount)
    if invoice is not None and invoice.claim_for is not None:
        # A claim's denied part not rebilled: its lineage shows the write-off beside the rebills.
        record_change(
            context.session,
            actor=None,
            action="claim_written_off",
            entity_type="invoice",
            entity_id=str(invoice.id),
            changes={
                "write_off_id": str(event.write_off_id),
                "amount": str(event.amount),
                "approved_by": event.approved_by,
            },
            reason=event.reason,
        )


async def on_write_off_reversed(
    context: HandlerContext, envelope: EventEnvelope, event: WriteOffReversed
) -> None:
    await _add_paid(context.session, event.invoice_id, -event.amount)


async def on_credit_memo_applied(
    context: HandlerContext, envelope: EventEnvelope, event: CreditMemoApplied
) -> None:
    """Each event says what is left of the memo on account; the invoice counts the change."""
    session = context.session
    memo = await session.get(CreditMemo, event.credit_memo_id, with_for_update=True)
    invoice = await session.get(Invoice, event.invoice_id, with_for_update=True)
    if memo is None or invoice is None:
        return
    invoice.credit_on_account += event.on_account - (memo.on_account or Decimal(0))
    memo.on_account = event.on_account


HANDLERS = {
    PaymentApplied: on_payment_applied,
    PaymentUnapplied: on_payment_unapplied,
    WriteOffPosted: on_write_off,
    WriteOffReversed: on_write_off_reversed,
    CreditMemoApplied: on_credit_memo_applied,
}
