"""Reading tickets, their documents and rate cards."""

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.invoicing.domain.tickets import TicketStatus
from services.invoicing.models.tickets import RateCardPrice, Ticket, TicketDocument
from shared.api.problems import NotFound
from shared.auth import UNLIMITED, Scope
from shared.scoping import Reach

STANDARD_CARD = "standard"

TICKETS = Reach(customer=Ticket.customer_id, district=Ticket.business_district)


async def get_ticket(
    session: AsyncSession, ticket_id: uuid.UUID, *, lock: bool = False, scope: Scope = UNLIMITED
) -> Ticket:
    """The ticket, or a 404 when it is unknown or outside the caller's scope."""
    statement = select(Ticket).where(Ticket.id == ticket_id)
    return await TICKETS.one(session, statement, scope, missing=f"no ticket {ticket_id}", lock=lock)


async def find_ticket(
    session: AsyncSession, source_system: str, ticket_number: str
) -> Ticket | None:
    return (
        await session.exec(
            select(Ticket).where(
                Ticket.source_system == source_system, Ticket.ticket_number == ticket_number
            )
        )
    ).first()


async def document_kinds(session: AsyncSession, ticket_id: uuid.UUID) -> set[str]:
    kinds = await session.exec(
        select(TicketDocument.kind).where(TicketDocument.ticket_id == ticket_id)
    )
    return set(kinds.all())


async def list_documents(session: AsyncSession, ticket_id: uuid.UUID) -> list[TicketDocument]:
    documents = await session.exec(
        select(TicketDocument)
        .where(TicketDocument.ticket_id == ticket_id)
        .order_by(col(TicketDocument.uploaded_at), col(TicketDocument.id))
    )
    return list(documents.all())


async def get_document(
    session: AsyncSession, ticket_id: uuid.UUID, document_id: uuid.UUID
) -> TicketDocument:
    document = await session.get(TicketDocument, document_id)
    if document is None or document.ticket_id != ticket_id:
        raise NotFound(f"no document {document_id} on ticket {ticket_id}")
    return document


async def find_rate_card_price(
    session: AsyncSession, customer_key: str, rate_code: str
) -> RateCardPrice | None:
    return (
        await session.exec(
            select(RateCardPrice).where(
                RateCardPrice.customer_key == customer_key, RateCardPrice.rate_code == rate_code
            )
        )
    ).first()


async def rate_card_prices(session: AsyncSession, customer_key: str) -> list[RateCardPrice]:
    """The prices of one card (a customer's own, or the standard list), by rate code."""
    return list(
        (
            await session.exec(
                select(RateCardPrice)
                .where(RateCardPrice.customer_key == customer_key)
                .order_by(col(RateCardPrice.rate_code))
            )
        ).all()
    )


async def rate_card(
    session: AsyncSession, customer_id: uuid.UUID, currency: str
) -> dict[str, Decimal]:
    """The customer's agreed prices: its own card over the standard list, in its currency."""
    rows = (
        await session.exec(
            select(RateCardPrice).where(
                RateCardPrice.currency == currency,
                col(RateCardPrice.customer_key).in_([STANDARD_CARD, str(customer_id)]),
            )
        )
    ).all()
    standard = {r.rate_code: r.unit_price for r in rows if r.customer_key == STANDARD_CARD}
    return standard | {r.rate_code: r.unit_price for r in rows if r.customer_key != STANDARD_CARD}


async def held_tickets_of(session: AsyncSession, customer_id: uuid.UUID) -> list[Ticket]:
    return list(
        (
            await session.exec(
                select(Ticket).where(
                    Ticket.customer_id == customer_id, Ticket.status == TicketStatus.HELD
                )
            )
        ).all()
    )


def search_tickets(
    *,
    scope: Scope = UNLIMITED,
    status: str | None = None,
    business_district: str | None = None,
    customer_id: uuid.UUID | None = None,
    closed_before: datetime | None = None,
    unbilled: bool | None = None,
) -> Select:  # type: ignore[type-arg]
    """Tickets in scope matching every filter given; `closed_before` finds stale ones."""
    statement = TICKETS.filter(select(Ticket), scope)
    for column, value in (
        (Ticket.status, status),
        (Ticket.business_district, business_district),
        (Ticket.customer_id, customer_id),
    ):
        if value is not None:
            statement = statement.where(column == value)
    if closed_before is not None:
        statement = statement.where(col(Ticket.closed_at) < closed_before)
    if unbilled:
        statement = statement.where(col(Ticket.status) != TicketStatus.BILLED)
    return statement
