"""What each consumed event does to collections' read model, and the log that lets it be rebuilt.

`project` is the whole effect of an event on the ledger, journal, customer copy, unbilled
tickets and unbilled rentals; the live consumer and `rebuild` both call it, which is why a
rebuild comes out identical.
"""

from collections.abc import Sequence
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.collections.domain.ledger import LEDGER_EVENTS, change_for
from services.collections.handlers.customer_copy import CUSTOMER_HANDLERS
from services.collections.handlers.posting import (
    UNASSIGNED,
    apply_change,
    assign_customers_items,
    insert_at_commit,
    prepare,
    record_journal,
)
from services.collections.models import LoggedEvent, UnbilledRental, UnbilledTicket
from shared.db import chunks
from shared.events.catalog import EventPayload
from shared.events.envelope import EventEnvelope
from shared.events.invoicing import (
    InvoiceIssued,
    InvoiceVoided,
    RentalAccrued,
    TicketClosed,
    VendorBillPosted,
)
from shared.inbox import HandlerContext

CONSUMED: tuple[type[EventPayload], ...] = (
    *CUSTOMER_HANDLERS,
    *LEDGER_EVENTS,
    TicketClosed,
    VendorBillPosted,
    RentalAccrued,
)


def log_event(context: HandlerContext, envelope: EventEnvelope) -> None:
    """Append the event to the history `rebuild` replays, in this same transaction."""
    insert_at_commit(
        context.session,
        LoggedEvent,
        event_id=envelope.id,
        event_type=envelope.type,
        version=envelope.version,
        customer_id=envelope.customer_id,
        envelope=envelope.as_received(),
        logged_at=context.clock.now(),
    )


async def prepare_projection(
    context: HandlerContext, events: Sequence[tuple[EventEnvelope, Any]]
) -> None:
    """Read what a batch of events will post to, once for them all: the ledger items and
    customers, and the tickets invoices bill (into the session, where `get` finds them)."""
    session = context.session
    await prepare(session, {envelope.id: change_for(event) for envelope, event in events})
    tickets = [
        t
        for _, event in events
        if isinstance(event, InvoiceIssued | InvoiceVoided)
        for t in event.ticket_ids
    ]
    for some in chunks(tickets):
        (
            await session.exec(
                select(UnbilledTicket).where(col(UnbilledTicket.ticket_id).in_(some))
            )
        ).all()


async def project(context: HandlerContext, envelope: EventEnvelope, event: Any) -> None:
    session = context.session
    copy_customer = CUSTOMER_HANDLERS.get(type(event))
    if copy_customer is not None:
        await copy_customer(context, envelope, event)
        customer = event.customer
        await assign_customers_items(
            session, customer.id, customer.business_district, customer.sales_rep
        )
        return
    if isinstance(event, TicketClosed):
        _ticket_closed(session, event)
        return
    if isinstance(event, VendorBillPosted):
        # A vendor bill owes no customer: it touches no ledger item, only the journal the GL
        # export ties out.
        record_journal(session, envelope.id, event.journal, None)
        return
    if isinstance(event, RentalAccrued):
        await _rental_accrued(session, event)
        return
    await apply_change(session, envelope.id, event)
    # A credit memo's settlement moves credit between two AR items: it has no entry of its own.
    record_journal(
        session, envelope.id, getattr(event, "journal", None), getattr(event, "customer_id", None)
    )
    if isinstance(event, InvoiceIssued):
        await _tickets_billed(session, event)
    elif isinstance(event, InvoiceVoided):
        await _tickets_unbilled(session, event)


def _ticket_closed(session: AsyncSession, event: TicketClosed) -> None:
    session.add(
        UnbilledTicket(
            ticket_id=event.ticket_id,
            ticket_number=event.ticket_number,
            customer_id=event.customer_id,
            currency=event.currency,
            business_district=event.business_district,
            sales_rep=event.sales_rep or UNASSIGNED,
            closed_on=event.closed_at.date(),
            amount=event.amount,
        )
    )


async def _rental_accrued(session: AsyncSession, event: RentalAccrued) -> None:
    """The latest figure replaces the one before (an older one arriving late is ignored)."""
    row = await session.get(UnbilledRental, event.customer_id)
    if row is None:
        session.add(
            UnbilledRental(
                customer_id=event.customer_id,
                currency=event.currency,
                as_of=event.as_of,
                rental=event.rental_unbilled,
                storage=event.storage_unbilled,
                pass_through=event.pass_through_unbilled,
            )
        )
    elif row.as_of <= event.as_of:
        row.currency, row.as_of = event.currency, event.as_of
        row.rental, row.storage = event.rental_unbilled, event.storage_unbilled
        row.pass_through = event.pass_through_unbilled


async def _tickets_billed(session: AsyncSession, event: InvoiceIssued) -> None:
    for ticket_id in event.ticket_ids:
        ticket = await session.get(UnbilledTicket, ticket_id)
        if ticket is not None:
            ticket.invoice_id, ticket.invoiced_on = event.invoice_id, event.invoice_date


async def _tickets_unbilled(session: AsyncSession, event: InvoiceVoided) -> None:
    for ticket_id in event.ticket_ids:
        ticket = await session.get(UnbilledTicket, ticket_id)
        if ticket is not None and ticket.invoice_id == event.invoice_id:
            ticket.invoice_id, ticket.invoiced_on = None, None
