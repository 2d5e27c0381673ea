"""What is still open on each of a customer's invoices, learnt from invoicing's and payments'
events (customers never reads their databases): issued invoices open, settlements (cash, credit
memos as payments settles them, write-offs) move the balance, a void closes it. A currency change
reads it (`change_requests`). Repeats never get here: the inbox drops them."""

import uuid
from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from services.customers.models import OpenInvoice
from shared.events.invoicing import InvoiceIssued, InvoiceVoided


async def _invoice(
    session: AsyncSession, invoice_id: uuid.UUID, customer_id: uuid.UUID, currency: str, number: str
) -> OpenInvoice:
    """The invoice an event names, opened empty when a settlement arrives before it."""
    item = await session.get(OpenInvoice, invoice_id)
    if item is None:
        item = OpenInvoice(
            id=invoice_id,
            customer_id=customer_id,
            number=number,
            currency=currency,
            balance=Decimal(0),
        )
        session.add(item)
    return item


async def invoice_issued(session: AsyncSession, event: InvoiceIssued) -> None:
    item = await _invoice(
        session, event.invoice_id, event.customer_id, event.currency, event.number
    )
    if item.issued:
        return  # the same invoice again under another event id
    item.issued = True
    if not item.voided:
        item.balance += event.owed  # an import: what it still owes at go-live


async def invoice_voided(session: AsyncSession, event: InvoiceVoided) -> None:
    item = await _invoice(
        session, event.invoice_id, event.customer_id, event.currency, event.number
    )
    item.balance, item.voided = Decimal(0), True


async def settled(
    session: AsyncSession,
    *,
    invoice_id: uuid.UUID,
    customer_id: uuid.UUID,
    currency: str,
    number: str,
    amount: Decimal,
) -> None:
    """`amount` came off the invoice's open balance (a negative amount went back onto it)."""
    item = await _invoice(session, invoice_id, customer_id, currency, number)
    if not item.voided:
        item.balance -= amount
