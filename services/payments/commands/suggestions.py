"""Keeping the review queue true: a suggestion proposes cash of one payment for some invoices, and
when the payment or an invoice changes (paid another way, credited, voided, written off, refunded,
reversed) a suggestion that no longer fits is superseded with the reason, not left to fail when a
person accepts it."""

import uuid
from decimal import Decimal

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.payments.domain.statuses import InvoiceStatus, PaymentStatus, SuggestionStatus
from services.payments.models import OpenItem, Payment, SuggestedInvoice, Suggestion
from shared.api.problems import Conflict


class SuggestionSuperseded(Conflict):
    slug, title = "suggestion-superseded", "The suggestion no longer fits"


async def queue(session: AsyncSession, suggestion: Suggestion) -> None:
    """Add the suggestion with the invoices it proposes, so a change to one of them finds it."""
    session.add(suggestion)
    await session.flush()  # before the rows that refer to it: the flush orders tables by name
    session.add_all(suggested_invoices(suggestion))


def suggested_invoices(suggestion: Suggestion) -> list[SuggestedInvoice]:
    """The rows by which a change to one of the proposed invoices finds the suggestion."""
    return [
        SuggestedInvoice(suggestion_id=suggestion.id, invoice_id=uuid.UUID(invoice_id))
        for invoice_id in {line["invoice_id"] for line in suggestion.proposal}
    ]


async def misfit(session: AsyncSession, suggestion: Suggestion) -> str | None:
    """Why the suggestion can no longer be applied as proposed, or None while it can."""
    payment = await session.get(Payment, suggestion.payment_id)
    assert payment is not None  # a suggestion is always of a recorded payment
    if payment.status == PaymentStatus.REVERSED:
        return "the payment was reversed"
    proposed = sum((Decimal(line["amount"]) for line in suggestion.proposal), Decimal(0))
    if payment.unapplied == 0:
        return "the payment has nothing left unapplied"
    if proposed > payment.unapplied:
        return (
            f"the payment has only {payment.unapplied} unapplied, the suggestion applies {proposed}"
        )
    for line in suggestion.proposal:
        invoice = await session.get(OpenItem, uuid.UUID(line["invoice_id"]))
        wanted = Decimal(line["amount"]) + Decimal(line["discount"])
        if invoice is None or invoice.status != InvoiceStatus.OPEN:
            status = invoice.status if invoice else "unknown"
            return f"invoice {line['invoice_number']} is {status} now"
        if invoice.balance < wanted:
            return (
                f"invoice {line['invoice_number']} has only {invoice.balance} open, "
                f"the suggestion applies {wanted}"
            )
    return None


async def supersede_stale(
    session: AsyncSession,
    *,
    invoice_id: uuid.UUID | None = None,
    payment_id: uuid.UUID | None = None,
) -> None:
    """Supersede each pending suggestion of the payment, or for the invoice, that the change just
    made (to their balances) no longer fits."""
    statement = select(Suggestion).where(Suggestion.status == SuggestionStatus.PENDING)
    if invoice_id is not None:
        statement = statement.join(
            SuggestedInvoice, col(SuggestedInvoice.suggestion_id) == col(Suggestion.id)
        ).where(SuggestedInvoice.invoice_id == invoice_id)
    else:
        statement = statement.where(Suggestion.payment_id == payment_id)
    for suggestion in (await session.exec(statement)).all():
        reason = await misfit(session, suggestion)
        if reason is not None:
            suggestion.status, suggestion.superseded_reason = SuggestionStatus.SUPERSEDED, reason
