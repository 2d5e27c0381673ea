"""Changes to tickets: intake (from the API or the sales event), documents, review and release.
Each runs in the caller's transaction, audits what changed and publishes through the outbox."""

import uuid
from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from services.invoicing.domain import tickets as domain
from services.invoicing.domain.tickets import TicketStatus
from services.invoicing.models.accounts import BillingAccount
from services.invoicing.models.tickets import Ticket, TicketDocument
from services.invoicing.publishing import outbox
from services.invoicing.queries.tickets import document_kinds, find_ticket, rate_card
from shared.api.files import content_type_of
from shared.api.problems import Conflict, NotFound
from shared.audit import record_change
from shared.auth import Principal
from shared.clock import Clock, check_not_ahead
from shared.events.customers import BillingProfile, TicketDocumentKind
from shared.events.invoicing import TicketClosed, TicketHeld, TicketLineFacts
from shared.events.sales import ClosedTicketLine, SalesTicketClosed


def ticket_lines(ticket: Ticket) -> list[ClosedTicketLine]:
    # A stored line also carries its amount, which a line as sent may not.
    return [ClosedTicketLine.model_validate(line, extra="ignore") for line in ticket.lines]


def _same_ticket(ticket: Ticket, data: SalesTicketClosed) -> bool:
    lines = [line.model_dump(mode="json") for line in data.lines]
    stored = [{k: v for k, v in line.items() if k != "amount"} for line in ticket.lines]
    return (ticket.customer_id, ticket.po_number, stored) == (
        data.customer_id,
        data.po_number,
        lines,
    )


async def receive_ticket(
    session: AsyncSession,
    data: SalesTicketClosed,
    actor: Principal | None,
    *,
    clock: Clock,
    max_future_days: int,
) -> tuple[Ticket, bool]:
    """Accept a closed ticket for billing and review it; a repeat of a ticket already received
    answers the first one (`created` False). Raises `NotBillable` for a ticket that cannot be
    billed to its customer at all, `TooFarAhead` for one closed beyond the tolerance ahead."""
    check_not_ahead(
        data.closed_at.astimezone(clock.zone).date(),
        today=clock.calendar_date(),
        tolerance_days=max_future_days,
        what="closed_at",
    )
    account = await session.get(BillingAccount, data.customer_id)
    # A sales system sends tickets of its own districts' customers and work only (and reads
    # them back by the ticket's district); it learns nothing of others.
    districts = (account.business_district if account else None, data.business_district)
    if actor is not None and not all(
        actor.scope.admits(customer_id=data.customer_id, district=d) for d in districts
    ):
        raise NotFound(f"no customer {data.customer_id} in the token's scope")
    existing = await find_ticket(session, data.source_system, data.ticket_number)
    if existing is not None:
        if not _same_ticket(existing, data):
            raise Conflict(
                f"ticket {data.source_system}/{data.ticket_number} was received with other "
                "content; correct a billed ticket with a credit memo or rebill",
                ticket_id=str(existing.id),
            )
        return existing, False
    currency = domain.check_acceptable(
        data.customer_id,
        data.currency,
        customer_status=account.status if account else None,
        customer_currency=account.currency if account else None,
    )
    assert account is not None  # check_acceptable refused an unknown customer
    lines = [
        line.model_dump(mode="json")
        | {"amount": str(domain.line_amount(line.quantity, line.unit_price, currency))}
        for line in data.lines
    ]
    ticket = Ticket(
        id=uuid.uuid4(),
        source_system=data.source_system,
        ticket_number=data.ticket_number,
        customer_id=data.customer_id,
        currency=currency,
        business_district=data.business_district,
        sales_rep=data.sales_rep or account.sales_rep,
        job_site=data.job_site,
        job_site_address=data.job_site_address.model_dump(mode="json")
        if data.job_site_address
        else None,
        po_number=data.po_number,
        service_start=data.service_start,
        service_end=data.service_end,
        closed_at=data.closed_at,
        lines=lines,
        amount=sum((Decimal(line["amount"]) for line in lines), start=Decimal(0)),
        status=TicketStatus.READY,
    )
    session.add(ticket)
    await session.flush()
    record_change(
        session,
        actor=actor,
        action="ticket_received",
        entity_type="ticket",
        entity_id=str(ticket.id),
        changes=data.model_dump(mode="json"),
    )
    _publish_closed(session, ticket)
    await review_ticket(session, ticket, account)
    return ticket, True


def _publish_closed(session: AsyncSession, ticket: Ticket) -> None:
    outbox.add(
        session,
        TicketClosed(
            ticket_id=ticket.id,
            source_system=ticket.source_system,
            ticket_number=ticket.ticket_number,
            customer_id=ticket.customer_id,
            currency=ticket.currency,
            business_district=ticket.business_district,
            sales_rep=ticket.sales_rep,
            job_site=ticket.job_site,
            po_number=ticket.po_number,
            service_start=ticket.service_start,
            service_end=ticket.service_end,
            closed_at=ticket.closed_at,
            lines=[TicketLineFacts.model_validate(line) for line in ticket.lines],
            amount=ticket.amount,
        ),
        customer_id=str(ticket.customer_id),
        aggregate_id=str(ticket.id),
    )


async def review_ticket(session: AsyncSession, ticket: Ticket, account: BillingAccount) -> None:
    """Review a ticket not yet on an invoice: `ready`, or `held` with its reasons (published
    as `TicketHeld` whenever they change). A supervisor's release stands until billed."""
    if ticket.status not in (TicketStatus.HELD, TicketStatus.READY) or ticket.released_by:
        return
    reasons = domain.review(
        lines=ticket_lines(ticket),
        po_number=ticket.po_number,
        profile=BillingProfile.model_validate(account.billing_profile),
        credit_hold=account.credit_hold,
        documents_on_file=await document_kinds(session, ticket.id),
        card=await rate_card(session, ticket.customer_id, ticket.currency),
    )
    status = TicketStatus.HELD if reasons else TicketStatus.READY
    if (status, reasons) == (ticket.status, ticket.hold_reasons):
        return
    record_change(
        session,
        actor=None,
        action="ticket_reviewed",
        entity_type="ticket",
        entity_id=str(ticket.id),
        changes={
            "status": {"from": ticket.status, "to": status},
            "hold_reasons": {"from": ticket.hold_reasons, "to": reasons},
        },
    )
    ticket.status, ticket.hold_reasons = status, reasons
    if reasons:
        outbox.add(
            session,
            TicketHeld(
                ticket_id=ticket.id,
                ticket_number=ticket.ticket_number,
                customer_id=ticket.customer_id,
                reasons=reasons,
            ),
            customer_id=str(ticket.customer_id),
            aggregate_id=str(ticket.id),
        )


async def attach_document(
    session: AsyncSession,
    ticket: Ticket,
    *,
    kind: TicketDocumentKind,
    filename: str,
    content: bytes,
    actor: Principal,
) -> TicketDocument:
    """Keep a document on the ticket and review it again: the missing piece may have arrived."""
    content_type = content_type_of(content)
    document = TicketDocument(
        ticket_id=ticket.id,
        kind=kind,
        filename=filename[:200],
        content_type=content_type,
        size=len(content),
        content=content,
        uploaded_by=actor.subject,
    )
    session.add(document)
    await session.flush()
    record_change(
        session,
        actor=actor,
        action="ticket_document_added",
        entity_type="ticket",
        entity_id=str(ticket.id),
        changes={"document": {"id": str(document.id), "kind": kind.value, "size": len(content)}},
    )
    account = await session.get(BillingAccount, ticket.customer_id)
    if account is not None:
        await review_ticket(session, ticket, account)
    return document


async def release_hold(
    session: AsyncSession, ticket: Ticket, reason: str, actor: Principal
) -> None:
    """A supervisor's decision to bill a held ticket anyway, with the reason, audited."""
    if ticket.status != TicketStatus.HELD:
        raise Conflict(f"ticket {ticket.ticket_number} is {ticket.status}, not held")
    record_change(
        session,
        actor=actor,
        action="ticket_hold_released",
        entity_type="ticket",
        entity_id=str(ticket.id),
        changes={
            "status": {"from": ticket.status, "to": TicketStatus.READY},
            "hold_reasons_overridden": ticket.hold_reasons,
        },
        reason=reason,
    )
    ticket.status = TicketStatus.READY
    ticket.released_by, ticket.release_reason = actor.subject, reason
