"""Billing runs: ready tickets to draft invoices in one transaction (a ticket is linked to its
draft in that same transaction, so no run can bill it twice), then issued in batches, each its
own transaction, so a crash loses at most one batch and issuing again finishes the job."""

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Row, func, insert, text, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.invoicing.commands.costs import Charge, mark_charges_billed, pass_through_charges
from services.invoicing.commands.invoices import draft_values, issue_invoices
from services.invoicing.commands.rental_billing import Recurring, due_recurring, record_billed
from services.invoicing.domain import billing as domain
from services.invoicing.domain.billing import RunRefused, RunStatus, TicketToBill
from services.invoicing.domain.invoices import InvoiceStatus, ticket_lines
from services.invoicing.domain.tax import site_address, tax_address
from services.invoicing.domain.tickets import TicketStatus
from services.invoicing.models.accounts import BillingAccount
from services.invoicing.models.billing import BillingRun
from services.invoicing.models.invoices import Invoice
from services.invoicing.models.tickets import Ticket
from services.invoicing.publishing.rentals import publish_accrued_of
from services.invoicing.queries.billing import known_districts
from services.invoicing.queries.costs import customers_pass_through_in_run
from services.invoicing.queries.rentals import customers_billed_in_run
from services.invoicing.queries.tax import jurisdictions_on
from services.invoicing.schemas.billing import DraftSummary, RunCreate, RunException
from services.invoicing.settings import InvoicingSettings
from shared.api.problems import BusinessRuleViolation, Conflict
from shared.audit import record_change
from shared.auth import Principal
from shared.clock import Clock, check_not_ahead
from shared.db import on_postgres
from shared.events.customers import BillingProfile


def _shared(values: Sequence[str | None]) -> str | None:
    """The value every ticket of an invoice shares, else none (a consolidated invoice)."""
    return values[0] if len(set(values)) == 1 else None


# What drafting reads of a ticket: plain rows, not tracked entities, so 100,000 load quickly.
TICKET_FACTS = (
    Ticket.id,
    Ticket.ticket_number,
    Ticket.customer_id,
    Ticket.currency,
    Ticket.sales_rep,
    Ticket.job_site,
    Ticket.job_site_address,
    Ticket.po_number,
    Ticket.lines,
)


def _closed_by(cut_off: date) -> datetime:
    """The instant a ticket must be closed before to be in a run of this cut-off."""
    return datetime.combine(cut_off + timedelta(days=1), time(), tzinfo=UTC)


async def _ready_tickets(session: AsyncSession, data: RunCreate) -> list[Row[Any]]:
    closed_by = _closed_by(data.cut_off)
    statement = (
        select(*TICKET_FACTS)
        .where(
            Ticket.status == TicketStatus.READY,
            col(Ticket.invoice_id).is_(None),
            col(Ticket.business_district).in_(data.districts),
            col(Ticket.closed_at) < closed_by,
        )
        .order_by(col(Ticket.closed_at), col(Ticket.id))
    )
    if not data.dry_run:
        # A concurrent run skips the tickets this one is drafting instead of drafting them too.
        statement = statement.with_for_update(skip_locked=True)
    return list((await session.exec(statement)).all())


async def _link_tickets(session: AsyncSession, links: list[tuple[uuid.UUID, uuid.UUID]]) -> None:
    """Point each ticket at its draft, in the drafting transaction."""
    if on_postgres(session):
        # One statement for all of them: 100,000 single-row updates would take seconds more.
        await session.exec(
            text(
                "UPDATE tickets SET invoice_id = link.invoice_id, status = :status"
                " FROM unnest(CAST(:tickets AS uuid[]), CAST(:invoices AS uuid[]))"
                " AS link(ticket_id, invoice_id) WHERE tickets.id = link.ticket_id"
            ),
            params={
                "status": TicketStatus.DRAFTED.value,
                "tickets": [ticket for ticket, _ in links],
                "invoices": [invoice for _, invoice in links],
            },
        )
        return
    rows = [{"id": t, "invoice_id": i, "status": TicketStatus.DRAFTED} for t, i in links]
    await session.exec(update(Ticket), params=rows)


def _exception(ticket: Row[Any], reason: str, reasons: Sequence[str] = ()) -> RunException:
    return RunException(
        ticket_id=ticket.id,
        ticket_number=ticket.ticket_number,
        customer_id=ticket.customer_id,
        reason=reason,
        reasons=list(reasons),
    )


def _left_out(item: Row[Any] | Recurring, reason: str) -> RunException:
    """A ready ticket, or a rental line's or storage schedule's due charges, left out."""
    if isinstance(item, Recurring):
        return RunException(rental_line=item.label, customer_id=item.customer_id, reason=reason)
    return _exception(item, reason)


async def _held_exceptions(session: AsyncSession, data: RunCreate) -> list[RunException]:
    """The districts' held tickets closed by the cut-off: left out, each with its reasons."""
    held = await session.exec(
        select(Ticket.id, Ticket.ticket_number, Ticket.customer_id, Ticket.hold_reasons)
        .where(
            Ticket.status == TicketStatus.HELD,
            col(Ticket.invoice_id).is_(None),
            col(Ticket.business_district).in_(data.districts),
            col(Ticket.closed_at) < _closed_by(data.cut_off),
        )
        .order_by(col(Ticket.closed_at), col(Ticket.id))
    )
    return [_exception(t, domain.held_reason(t.hold_reasons), t.hold_reasons) for t in held.all()]


async def _check_run(
    session: AsyncSession, data: RunCreate, invoice_date: date, *, today: date, max_future_days: int
) -> None:
    """Refuse a run that cannot be what was meant: an invoice date before the cut-off (it would
    bill work after its own date) or too far ahead, a district nobody has heard of (a typo
    would answer an empty run)."""
    if invoice_date < data.cut_off:
        raise RunRefused(
            f"the invoice date {invoice_date.isoformat()} is before the cut-off "
            f"{data.cut_off.isoformat()}"
        )
    check_not_ahead(
        invoice_date, today=today, tolerance_days=max_future_days, what="the invoice date"
    )
    unknown = sorted(set(data.districts) - await known_districts(session, data.districts))
    if unknown:
        raise RunRefused(
            f"no customer or ticket is in district {', '.join(unknown)}", unknown_districts=unknown
        )


async def start_run(
    session: AsyncSession,
    data: RunCreate,
    actor: Principal,
    *,
    clock: Clock,
    max_future_days: int,
) -> tuple[BillingRun, list[DraftSummary]]:
    """Group the districts' ready tickets closed by the cut-off into draft invoices per the
    customers' billing profiles; list the tickets it must leave out and why (held ones too)."""
    invoice_date = data.invoice_date or clock.today()
    await _check_run(
        session,
        data,
        invoice_date,
        today=clock.calendar_date(),
        max_future_days=max_future_days,
    )
    exceptions = await _held_exceptions(session, data)
    tickets = await _ready_tickets(session, data)
    # Rent, fees and storage due by the cut-off go on the same invoices as the tickets.
    rentals = await due_recurring(session, data.districts, data.cut_off, dry_run=data.dry_run)
    customer_ids = {t.customer_id for t in tickets} | {r.customer_id for r in rentals}
    accounts = {
        a.id: a
        for a in (
            await session.exec(
                select(BillingAccount).where(col(BillingAccount.id).in_(customer_ids))
            )
        ).all()
    }
    billable: dict[uuid.UUID, Row[Any] | Recurring] = {}
    for ticket in [*tickets, *rentals]:
        reason = domain.customer_exception(accounts.get(ticket.customer_id), ticket.currency)
        if reason:
            exceptions.append(_left_out(ticket, reason))
        else:
            billable[ticket.id] = ticket
    groupings = {
        cid: BillingProfile.model_validate(accounts[cid].billing_profile).grouping
        for cid in {t.customer_id for t in billable.values()}
    }
    groups = domain.group_tickets(
        (
            TicketToBill(t.id, t.customer_id, t.currency, t.po_number, t.job_site)
            for t in billable.values()
        ),
        groupings,
    )
    jurisdictions = await jurisdictions_on(session, invoice_date)
    # Third-party costs billed on: each joins its ticket's invoice after the ticket's own lines.
    charges = await pass_through_charges(
        session,
        {t.id: t.ticket_number for t in billable.values() if not isinstance(t, Recurring)},
        accounts,
    )
    billed_charges: list[tuple[Charge, uuid.UUID, int]] = []
    run = BillingRun(
        districts=data.districts,
        cut_off=data.cut_off,
        invoice_date=invoice_date,
        dry_run=data.dry_run,
        status=RunStatus.DRY_RUN if data.dry_run else RunStatus.DRAFTED,
        created_by=actor.subject,
    )
    drafts: list[DraftSummary] = []
    invoices: list[dict[str, Any]] = []
    links: list[tuple[uuid.UUID, uuid.UUID]] = []
    rental_links: list[tuple[Recurring, uuid.UUID]] = []
    for (customer_id, key), members in groups.items():
        account, on_invoice = accounts[customer_id], [billable[m.id] for m in members]
        sites = [
            site_address(t.job_site_address, t.job_site, account.addresses) for t in on_invoice
        ]
        rented = [t for t in on_invoice if isinstance(t, Recurring)]
        ticketed = [t for t in on_invoice if not isinstance(t, Recurring)]
        where = {
            t.id: tax_address(t.job_site_address, t.job_site, account.addresses) for t in on_invoice
        }
        lines = [
            (facts, where[t.id])
            for t in on_invoice
            for facts in (
                t.invoice_lines()
                if isinstance(t, Recurring)
                else ticket_lines(t.id, t.ticket_number, t.lines)
            )
        ]
        passed = [charge for t in ticketed for charge in charges.get(t.id, [])]
        lines += [(charge.facts, where[charge.ticket_id]) for charge in passed]
        try:
            invoice = draft_values(
                account=account,
                lines=lines,
                jurisdictions=jurisdictions,
                invoice_date=invoice_date,
                created_by=actor.subject,
                po_number=_shared([t.po_number for t in on_invoice]),
                job_site=_shared([t.job_site for t in on_invoice]),
                job_site_address=sites[0] if all(s == sites[0] for s in sites) else None,
                sales_rep=_shared([t.sales_rep for t in on_invoice]),
                ticket_ids=[t.id for t in ticketed],
                billing_run_id=run.id,
            )
        except BusinessRuleViolation as exc:
            exceptions.extend(_left_out(t, exc.detail) for t in on_invoice)
            continue
        if not data.dry_run:
            invoices.append(invoice)
            links.extend((t.id, invoice["id"]) for t in ticketed)
            rental_links.extend((r, invoice["id"]) for r in rented)
            first = len(lines) - len(passed) + 1
            billed_charges.extend(
                (charge, invoice["id"], first + n) for n, charge in enumerate(passed)
            )
        drafts.append(
            DraftSummary(
                invoice_id=None if data.dry_run else invoice["id"],
                customer_id=customer_id,
                account_number=account.account_number,
                special_instructions=invoice["special_instructions"],
                group=key,
                ticket_numbers=[t.ticket_number for t in ticketed],
                rental_lines=[r.label for r in rented],
                subtotal=invoice["subtotal"],
                tax_total=invoice["tax_total"],
                total=invoice["total"],
            )
        )
    if invoices:
        # Plain rows in one executemany each: constructing 30,000 entities would cost more.
        await session.exec(insert(Invoice), params=invoices)
        # One executemany by primary key in this transaction: ticket and draft commit together.
        await _link_tickets(session, links)
        await mark_charges_billed(session, billed_charges)
        await record_billed(session, rental_links, run.id)
    run.draft_count = len(drafts)
    run.ticket_count = sum(len(d.ticket_numbers) for d in drafts)
    run.exceptions = [e.model_dump(mode="json") for e in exceptions]
    session.add(run)
    record_change(
        session,
        actor=actor,
        action="billing_run_started",
        entity_type="billing_run",
        entity_id=str(run.id),
        changes={
            "districts": data.districts,
            "cut_off": data.cut_off.isoformat(),
            "dry_run": data.dry_run,
            "drafts": run.draft_count,
            "tickets": run.ticket_count,
        },
    )
    await session.flush()
    return run, drafts


async def issued_count(session: AsyncSession, run_id: uuid.UUID) -> int:
    return (
        await session.exec(
            select(func.count())
            .select_from(Invoice)
            .where(Invoice.billing_run_id == run_id, Invoice.status != InvoiceStatus.DRAFT)
        )
    ).one()


async def issued_counts(session: AsyncSession, run_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    """Invoices issued so far by each of these runs."""
    rows = await session.exec(
        select(Invoice.billing_run_id, func.count())
        .where(col(Invoice.billing_run_id).in_(run_ids), Invoice.status != InvoiceStatus.DRAFT)
        .group_by(col(Invoice.billing_run_id))
    )
    return {run_id: count for run_id, count in rows.all() if run_id is not None}


async def _drafts_left(session: AsyncSession, run_id: uuid.UUID) -> int:
    """Drafts still unissued, including any another issuer holds right now."""
    return (
        await session.exec(
            select(func.count())
            .select_from(Invoice)
            .where(Invoice.billing_run_id == run_id, Invoice.status == InvoiceStatus.DRAFT)
        )
    ).one()


async def issue_run(
    session: AsyncSession,
    run: BillingRun,
    *,
    settings: InvoicingSettings,
    actor: Principal,
    clock: Clock,
) -> None:
    """Issue the run's drafts a batch per transaction; calling it again after a crash (or while
    another instance issues) issues only what is still a draft."""
    if run.dry_run:
        raise Conflict("a dry run drafts nothing to issue; start a real run")
    run_id = run.id
    while True:
        drafts = list(
            (
                await session.exec(
                    select(Invoice)
                    .where(Invoice.billing_run_id == run_id, Invoice.status == InvoiceStatus.DRAFT)
                    .order_by(col(Invoice.account_number), col(Invoice.id))
                    .limit(settings.issue_batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
        )
        if not drafts:
            break
        await issue_invoices(session, drafts, settings=settings, actor=actor, clock=clock)
        # Each batch is its own transaction: its numbers, events and tickets commit together.
        await session.commit()
    run = await session.get(BillingRun, run_id, with_for_update=True)  # type: ignore[assignment]
    if run.status != RunStatus.ISSUED and not await _drafts_left(session, run_id):
        run.status, run.issued_at = RunStatus.ISSUED, clock.now()
        # Rent, storage and pass-through now on issued invoices leave the customers' figures.
        billed = await customers_billed_in_run(session, run_id)
        billed |= await customers_pass_through_in_run(session, run_id)
        await publish_accrued_of(session, sorted(billed, key=str), clock.today())
        record_change(
            session,
            actor=actor,
            action="billing_run_issued",
            entity_type="billing_run",
            entity_id=str(run.id),
            changes={"issued": await issued_count(session, run.id)},
        )
