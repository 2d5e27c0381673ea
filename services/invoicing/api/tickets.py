"""The tickets API: intake, documents, review outcome, hold release, rate cards."""

import uuid
from datetime import timedelta
from typing import Annotated

from fastapi import File, Form, Query, Response, UploadFile, status
from sqlmodel import col

from services.invoicing.api.dependencies import SettingsDep
from services.invoicing.commands import tickets as commands
from services.invoicing.domain.amounts import shown_fields
from services.invoicing.domain.tickets import TicketStatus
from services.invoicing.models.tickets import RateCardPrice, Ticket
from services.invoicing.queries.tickets import (
    STANDARD_CARD,
    find_rate_card_price,
    get_document,
    get_ticket,
    list_documents,
    rate_card_prices,
    search_tickets,
)
from services.invoicing.schemas.tickets import (
    HoldRelease,
    RateCardPriceIn,
    RateCardPriceOut,
    TicketDocumentOut,
    TicketOut,
)
from shared.api.access import (
    AnyRole,
    ARStaff,
    ARSupervisor,
    ScopedAnyRole,
    ScopedARStaffAndSystems,
)
from shared.api.files import FILE_CONTENT, TOO_LARGE, file_response, read_upload
from shared.api.pagination import Page, PageQuery, page_of
from shared.api.routing import service_router
from shared.api.transaction import SessionDep
from shared.audit import HistoryEntry, history, record_change
from shared.clock import ClockDep
from shared.events.customers import TicketDocumentKind
from shared.events.sales import SalesTicketClosed

router = service_router("/v1/tickets", "tickets")
rate_cards = service_router("/v1/rate-cards", "rate cards")


def ticket_out(ticket: Ticket) -> TicketOut:
    return TicketOut.model_validate(shown_fields(ticket.model_dump(), ("amount",), ticket.currency))


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Receive a closed ticket",
    responses={200: {"description": "Already received: the first ticket"}},
)
async def receive_ticket(
    clock: ClockDep,
    data: SalesTicketClosed,
    session: SessionDep,
    actor: ScopedARStaffAndSystems,
    response: Response,
    settings: SettingsDep,
) -> TicketOut:
    """Accept a ticket closed in the sales/ops system and review it at once: the answer is
    `ready` or `held` with each reason. Idempotent on (`source_system`, `ticket_number`): a
    repeat answers 200 with the ticket already received. Publishes `TicketClosed`, and
    `TicketHeld` when held. A customer outside the token's districts is a 404. A ticket closed
    more than `AR_INVOICING_MAX_FUTURE_DAYS` ahead is a 422. The same payload may arrive as
    `sales.ticket_closed` on `ar.sales.v1`."""
    ticket, created = await commands.receive_ticket(
        session, data, actor, clock=clock, max_future_days=settings.max_future_days
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    response.headers["Location"] = f"{router.prefix}/{ticket.id}"
    return ticket_out(ticket)


@router.get("", summary="Search tickets")
async def list_tickets(
    clock: ClockDep,
    session: SessionDep,
    actor: ScopedAnyRole,
    page: PageQuery,
    status_: Annotated[TicketStatus | None, Query(alias="status")] = None,
    business_district: Annotated[str | None, Query(max_length=50)] = None,
    customer_id: uuid.UUID | None = None,
    min_age_days: Annotated[
        int | None, Query(ge=0, le=3650, description="Closed at least this many days ago")
    ] = None,
    unbilled: Annotated[
        bool | None, Query(description="Only tickets not yet on an issued invoice")
    ] = None,
) -> Page[TicketOut]:
    """Tickets matching every filter, oldest closed first: `unbilled=true&min_age_days=30` is
    the stale unbilled list."""
    closed_before = clock.now() - timedelta(days=min_age_days) if min_age_days is not None else None
    statement = search_tickets(
        scope=actor.scope,
        status=status_,
        business_district=business_district,
        customer_id=customer_id,
        closed_before=closed_before,
        unbilled=unbilled,
    )
    return await page_of(
        session,
        statement,
        order_by=[col(Ticket.closed_at), col(Ticket.id)],
        params=page,
        item=ticket_out,
    )


@router.get("/{ticket_id}", summary="Read a ticket")
async def read_ticket(ticket_id: uuid.UUID, session: SessionDep, actor: ScopedAnyRole) -> TicketOut:
    """The ticket, its review outcome (hold reasons) and the invoice billing it."""
    return ticket_out(await get_ticket(session, ticket_id, scope=actor.scope))


@router.post(
    "/{ticket_id}/documents", status_code=201, summary="Attach a document", responses=TOO_LARGE
)
async def upload_document(
    ticket_id: uuid.UUID,
    kind: Annotated[TicketDocumentKind, Form()],
    file: Annotated[UploadFile, File(description="PDF, PNG or JPEG")],
    session: SessionDep,
    actor: ScopedARStaffAndSystems,
    settings: SettingsDep,
) -> TicketDocumentOut:
    """Attach a time sheet, delivery ticket, sign-off, punch/exception form, service contract or
    change-order approval. The ticket is reviewed again: a hold for a missing document lifts
    when it arrives. Larger than the limit is a 413."""
    ticket = await get_ticket(session, ticket_id, lock=True, scope=actor.scope)
    content = await read_upload(file, settings.max_document_bytes)
    document = await commands.attach_document(
        session,
        ticket,
        kind=kind,
        filename=file.filename or kind.value,
        content=content,
        actor=actor,
    )
    return TicketDocumentOut.model_validate(document)


@router.get("/{ticket_id}/documents", summary="List a ticket's documents")
async def read_documents(
    ticket_id: uuid.UUID, session: SessionDep, actor: ScopedAnyRole
) -> list[TicketDocumentOut]:
    """The documents on file for the ticket, oldest first."""
    await get_ticket(session, ticket_id, scope=actor.scope)
    return [TicketDocumentOut.model_validate(d) for d in await list_documents(session, ticket_id)]


@router.get(
    "/{ticket_id}/documents/{document_id}",
    summary="Download a document",
    response_class=Response,
    responses=FILE_CONTENT,
)
async def download_document(
    ticket_id: uuid.UUID, document_id: uuid.UUID, session: SessionDep, actor: ScopedAnyRole
) -> Response:
    """The document's file as it was uploaded."""
    await get_ticket(session, ticket_id, scope=actor.scope)
    document = await get_document(session, ticket_id, document_id)
    return file_response(document.content, document.content_type, document.filename)


@router.get("/{ticket_id}/history", summary="Who changed the ticket, when and why")
async def ticket_history(
    ticket_id: uuid.UUID, session: SessionDep, actor: ScopedAnyRole
) -> list[HistoryEntry]:
    """Receipt, each review outcome, documents added, a hold released and by whom, oldest first."""
    await get_ticket(session, ticket_id, scope=actor.scope)
    return await history(session, "ticket", str(ticket_id))


@router.post("/{ticket_id}/release", summary="Release a held ticket")
async def release_ticket(
    ticket_id: uuid.UUID, data: HoldRelease, session: SessionDep, actor: ARSupervisor
) -> TicketOut:
    """A supervisor releases a hold with a reason (audited); the ticket becomes ready to bill."""
    ticket = await get_ticket(session, ticket_id, lock=True)
    await commands.release_hold(session, ticket, data.reason, actor)
    return ticket_out(ticket)


@rate_cards.put("", summary="Set a rate-card price")
async def put_rate_card_price(
    clock: ClockDep, data: RateCardPriceIn, session: SessionDep, actor: ARStaff
) -> RateCardPriceOut:
    """Set the agreed price of a rate code for a customer, or on the standard list without
    `customer_id`. Ticket review flags lines whose price differs."""
    key = str(data.customer_id) if data.customer_id else STANDARD_CARD
    price = await find_rate_card_price(session, key, data.rate_code)
    before = {"unit_price": str(price.unit_price), "currency": price.currency} if price else None
    if price is None:
        price = RateCardPrice(
            customer_key=key,
            rate_code=data.rate_code,
            currency=data.currency,
            unit_price=data.unit_price,
        )
        session.add(price)
    price.currency, price.unit_price, price.updated_at = data.currency, data.unit_price, clock.now()
    record_change(
        session,
        actor=actor,
        action="rate_card_price_set",
        entity_type="rate_card",
        entity_id=f"{key}:{data.rate_code}",
        changes={
            "from": before,
            "to": {"unit_price": str(data.unit_price), "currency": data.currency},
        },
    )
    return RateCardPriceOut(**data.model_dump())


@rate_cards.get("", summary="List rate-card prices")
async def list_rate_card_prices(
    session: SessionDep, _: AnyRole, customer_id: uuid.UUID | None = None
) -> list[RateCardPriceOut]:
    """The standard list, or with `customer_id` that customer's own prices, by rate code."""
    key = str(customer_id) if customer_id else STANDARD_CARD
    return [
        RateCardPriceOut(
            customer_id=customer_id,
            rate_code=p.rate_code,
            currency=p.currency,
            unit_price=p.unit_price,
        )
        for p in await rate_card_prices(session, key)
    ]
