"""Credit's view of what each customer owes, kept from invoicing and payments events.

Each handler applies one event to the receivables projection (open items, unbilled tickets,
rentals accrued) and
then re-evaluates the customer's automatic hold, in the consumer's one transaction. Repeats
never reach a handler: the inbox drops them.
"""

import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from services.credit.commands.holds import reevaluate_hold
from services.credit.models import (
    AccruedRental,
    OrderAuthorization,
    ReceivableItem,
    UnbilledTicket,
)
from services.credit.queries.position import CREDIT_MEMO, DEPOSIT, INVOICE, PAYMENT, REFUND
from shared.events.envelope import EventEnvelope
from shared.events.invoicing import (
    CreditMemoIssued,
    InvoiceIssued,
    InvoiceVoided,
    RentalAccrued,
    TicketClosed,
)
from shared.events.payments import (
    CreditMemoApplied,
    DepositReceived,
    PaymentApplied,
    PaymentReceived,
    PaymentReversed,
    PaymentUnapplied,
    RefundIssued,
    WriteOffPosted,
)
from shared.inbox import EventHandler, HandlerContext

# A projection step: apply the event, say whose position it moved (None: nobody we know).
Step = Callable[[AsyncSession, Any], Awaitable[uuid.UUID | None]]


def _adjust(item: ReceivableItem, delta: Decimal) -> None:
    if item.voided:
        return  # nothing is owed on a voided invoice, whatever settled it before or after
    item.balance += delta
    item.is_open = item.balance != 0


def _new_item(
    *,
    id: uuid.UUID,
    customer_id: uuid.UUID,
    kind: str,
    currency: str,
    on: date,
    amount: Decimal,
    number: str | None = None,
    due_date: date | None = None,
) -> ReceivableItem:
    return ReceivableItem(
        id=id,
        customer_id=customer_id,
        kind=kind,
        number=number,
        currency=currency,
        document_date=on,
        due_date=due_date,
        amount=amount,
        balance=amount,
        is_open=amount != 0,
    )


async def _invoice(
    session: AsyncSession,
    invoice_id: uuid.UUID,
    customer_id: uuid.UUID,
    currency: str,
    on: date,
    number: str | None,
) -> ReceivableItem:
    """The invoice an event names. Payments' events travel on another topic than invoicing's, so
    one may come before the invoice itself: the invoice is then opened empty and counts the
    settlement, and `invoice_issued` adds its total to it."""
    item = await session.get(ReceivableItem, invoice_id)
    if item is None:
        item = _new_item(
            id=invoice_id,
            customer_id=customer_id,
            kind=INVOICE,
            currency=currency,
            on=on,
            amount=Decimal(0),
            number=number,
        )
        session.add(item)
    return item


async def invoice_issued(session: AsyncSession, event: InvoiceIssued) -> uuid.UUID:
    item = await session.get(ReceivableItem, event.invoice_id)
    if item is None:
        session.add(
            _new_item(
                id=event.invoice_id,
                customer_id=event.customer_id,
                kind=INVOICE,
                currency=event.currency,
                on=event.invoice_date,
                amount=event.owed,  # an import: what it still owes at go-live
                number=event.number,
                due_date=event.due_date,
            )
        )
    else:  # what settled it, or its void, came first
        item.number, item.document_date = event.number, event.invoice_date
        item.due_date, item.amount = event.due_date, event.owed
        _adjust(item, event.owed)
    if event.ticket_ids:  # billed tickets leave the unbilled exposure
        await session.exec(
            update(UnbilledTicket)
            .where(col(UnbilledTicket.ticket_id).in_(event.ticket_ids))
            .values(invoice_id=event.invoice_id)
        )
    return event.customer_id


async def invoice_voided(session: AsyncSession, event: InvoiceVoided) -> uuid.UUID:
    item = await _invoice(
        session, event.invoice_id, event.customer_id, event.currency, event.voided_on, event.number
    )
    item.balance, item.is_open, item.voided = Decimal(0), False, True
    # Its tickets are ready to bill again, so unbilled once more.
    await session.exec(
        update(UnbilledTicket)
        .where(col(UnbilledTicket.invoice_id) == event.invoice_id)
        .values(invoice_id=None)
    )
    return event.customer_id


async def _move_item_or_add(
    session: AsyncSession, item_id: uuid.UUID | None, delta: Decimal, otherwise: ReceivableItem
) -> None:
    """Move the balance of the item the document settles, or, when there is none we know of,
    keep the document as an item of its own (`otherwise`, carrying the same `delta`)."""
    item = await session.get(ReceivableItem, item_id) if item_id else None
    if item is not None:
        _adjust(item, delta)
    else:
        session.add(otherwise)


async def _memo_moved(
    session: AsyncSession, event: CreditMemoIssued | CreditMemoApplied, delta: Decimal
) -> None:
    """Move the memo's own item, opening it when the other of its two events has not come yet
    (they travel on different topics)."""
    memo = _new_item(
        id=event.credit_memo_id,
        customer_id=event.customer_id,
        kind=CREDIT_MEMO,
        currency=event.currency,
        on=event.issued_on if isinstance(event, CreditMemoIssued) else event.applied_on,
        amount=delta,
        number=event.number if isinstance(event, CreditMemoIssued) else event.credit_memo_number,
    )
    await _move_item_or_add(session, event.credit_memo_id, delta, memo)


async def credit_memo_issued(session: AsyncSession, event: CreditMemoIssued) -> uuid.UUID:
    # A credit to the customer, on account until payments settles it against its invoice
    # (`credit_memo.applied`), or until applied or refunded when it names none.
    await _memo_moved(session, event, -event.total)
    return event.customer_id


async def credit_memo_applied(session: AsyncSession, event: CreditMemoApplied) -> uuid.UUID:
    """Payments took `amount` of the memo off its invoice: it moves from one item to the other."""
    if event.amount:
        await _memo_moved(session, event, event.amount)
        invoice = await _invoice(
            session,
            event.invoice_id,
            event.customer_id,
            event.currency,
            event.applied_on,
            event.invoice_number,
        )
        _adjust(invoice, -event.amount)
    return event.customer_id


async def payment_received(session: AsyncSession, event: PaymentReceived) -> uuid.UUID | None:
    if event.customer_id is None:
        return None  # not identified yet: nobody's exposure moves
    session.add(
        _new_item(
            id=event.payment_id,
            customer_id=event.customer_id,
            kind=PAYMENT,
            currency=event.currency,
            on=event.received_on,
            amount=-event.amount,
            number=event.reference,
        )
    )
    return event.customer_id


async def _move_application(
    session: AsyncSession, event: PaymentApplied | PaymentUnapplied, sign: int, on: date
) -> uuid.UUID:
    """Cash (plus discount) leaves the invoice and the payment's unapplied balance, or returns."""
    invoice = await _invoice(
        session, event.invoice_id, event.customer_id, event.currency, on, event.invoice_number
    )
    _adjust(invoice, -sign * (event.amount + event.discount))
    if invoice.balance <= 0 and invoice.paid_on is None and sign > 0:
        invoice.paid_on = on
    elif invoice.balance > 0:
        invoice.paid_on = None
    source_id = event.payment_id or event.deposit_id
    source = await session.get(ReceivableItem, source_id) if source_id else None
    if source is not None:
        _adjust(source, sign * event.amount)
    return event.customer_id


async def payment_applied(session: AsyncSession, event: PaymentApplied) -> uuid.UUID:
    return await _move_application(session, event, 1, event.applied_on)


async def payment_unapplied(session: AsyncSession, event: PaymentUnapplied) -> uuid.UUID:
    return await _move_application(session, event, -1, event.unapplied_on)


async def payment_reversed(session: AsyncSession, event: PaymentReversed) -> uuid.UUID | None:
    if event.customer_id is None:
        return None
    payment = await session.get(ReceivableItem, event.payment_id)
    if payment is None:  # received before it was identified: keep the return for the history
        payment = _new_item(
            id=event.payment_id,
            customer_id=event.customer_id,
            kind=PAYMENT,
            currency=event.currency,
            on=event.reversed_on,
            amount=-event.amount,
        )
        session.add(payment)
    _adjust(payment, event.amount)
    payment.reversed_on = event.reversed_on
    return event.customer_id


async def deposit_received(session: AsyncSession, event: DepositReceived) -> uuid.UUID:
    session.add(
        _new_item(
            id=event.deposit_id,
            customer_id=event.customer_id,
            kind=DEPOSIT,
            currency=event.currency,
            on=event.received_on,
            amount=-event.amount,
            number=event.ticket_number,
        )
    )
    return event.customer_id


async def refund_issued(session: AsyncSession, event: RefundIssued) -> uuid.UUID:
    # A refund of some other credit takes back what the customer was owed.
    other_credit = _new_item(
        id=event.refund_id,
        customer_id=event.customer_id,
        kind=REFUND,
        currency=event.currency,
        on=event.issued_on,
        amount=event.amount,
    )
    await _move_item_or_add(session, event.payment_id, event.amount, other_credit)
    return event.customer_id


async def write_off_posted(session: AsyncSession, event: WriteOffPosted) -> uuid.UUID:
    invoice = await _invoice(
        session,
        event.invoice_id,
        event.customer_id,
        event.currency,
        event.posted_on,
        event.invoice_number,
    )
    _adjust(invoice, -event.amount)
    return event.customer_id


async def ticket_closed(session: AsyncSession, event: TicketClosed) -> uuid.UUID:
    ticket = await session.get(UnbilledTicket, event.ticket_id)
    if ticket is None:
        session.add(
            UnbilledTicket(
                ticket_id=event.ticket_id,
                customer_id=event.customer_id,
                ticket_number=event.ticket_number,
                amount=event.amount,
                closed_at=event.closed_at,
            )
        )
    else:  # closed again after a correction: the newest amount is what will be billed
        ticket.amount, ticket.closed_at = event.amount, event.closed_at
    # The order credit authorized is now a closed ticket: counted once, as unbilled.
    await session.exec(
        update(OrderAuthorization)
        .where(
            OrderAuthorization.customer_id == event.customer_id,
            OrderAuthorization.order_ref == event.ticket_number,
        )
        .values(billed=True)
    )
    return event.customer_id


async def rental_accrued(session: AsyncSession, event: RentalAccrued) -> uuid.UUID:
    """The latest figure replaces the one before (an older one arriving late is ignored)."""
    amount = event.rental_unbilled + event.storage_unbilled
    row = await session.get(AccruedRental, event.customer_id)
    if row is None:
        session.add(
            AccruedRental(
                customer_id=event.customer_id,
                currency=event.currency,
                as_of=event.as_of,
                amount=amount,
                pass_through=event.pass_through_unbilled,
            )
        )
    elif row.as_of <= event.as_of:
        row.currency, row.as_of, row.amount = event.currency, event.as_of, amount
        row.pass_through = event.pass_through_unbilled
    return event.customer_id


def reevaluating(step: Step) -> EventHandler:
    """The consumer handler: the projection step, then the customer's automatic hold."""

    async def handle(context: HandlerContext, envelope: EventEnvelope, event: Any) -> None:
        customer_id = await step(context.session, event)
        if customer_id is not None:
            await reevaluate_hold(
                context.session, customer_id, context.settings, clock=context.clock
            )

    return handle


STEPS: dict[type, Step] = {
    TicketClosed: ticket_closed,
    InvoiceIssued: invoice_issued,
    InvoiceVoided: invoice_voided,
    CreditMemoIssued: credit_memo_issued,
    CreditMemoApplied: credit_memo_applied,
    PaymentReceived: payment_received,
    PaymentApplied: payment_applied,
    PaymentUnapplied: payment_unapplied,
    PaymentReversed: payment_reversed,
    DepositReceived: deposit_received,
    RefundIssued: refund_issued,
    WriteOffPosted: write_off_posted,
    RentalAccrued: rental_accrued,
}

HANDLERS = {model: reevaluating(step) for model, step in STEPS.items()}
