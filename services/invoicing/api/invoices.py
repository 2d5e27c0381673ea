"""The invoices API: manual drafts, issue, void, rebill, go-live import, PDF and delivery."""

import uuid
from typing import Annotated

from fastapi import Query, Response, status
from sqlmodel import col

from services.invoicing.api.dependencies import SettingsDep
from services.invoicing.commands import invoices as commands
from services.invoicing.commands.credit_memos import rebill_invoice
from services.invoicing.commands.delivery import deliver_invoice
from services.invoicing.commands.manual_invoices import manual_lines
from services.invoicing.documents.pdf import render_invoice
from services.invoicing.domain.amounts import shown_fields
from services.invoicing.domain.invoices import (
    InvoiceRuleBroken,
    InvoiceStatus,
    open_amount,
    shown_status,
)
from services.invoicing.domain.tax import site_address, tax_address
from services.invoicing.domain.tickets import check_acceptable
from services.invoicing.models.accounts import BillingAccount
from services.invoicing.models.invoices import Invoice
from services.invoicing.queries.accounts import find_billing_account
from services.invoicing.queries.invoices import get_invoice, search_invoices
from services.invoicing.queries.tax import jurisdictions_on
from services.invoicing.schemas.invoices import (
    ImportResult,
    InvoiceCreate,
    InvoiceImport,
    InvoiceOut,
    RebillIn,
    RebillOut,
    VoidIn,
)
from shared.api.access import ARStaff, ScopedAnyRole, ScopedARStaff
from shared.api.files import content_disposition
from shared.api.pagination import Page, PageQuery, page_of
from shared.api.routing import service_router
from shared.api.transaction import SessionDep
from shared.audit import HistoryEntry, history, record_change
from shared.clock import ClockDep, check_not_ahead

router = service_router("/v1/invoices", "invoices")

MONEY_FIELDS = (
    "subtotal",
    "tax_total",
    "total",
    "credited",
    "paid",
    "credit_on_account",
    "open_amount",
    "discount_amount",
)


def invoice_out(invoice: Invoice) -> InvoiceOut:
    values = invoice.model_dump() | {
        "status": shown_status(invoice.status, invoice.total, invoice.credited),
        "open_amount": open_amount(
            invoice.total, invoice.credited, invoice.paid, invoice.credit_on_account
        ),
    }
    return InvoiceOut.model_validate(shown_fields(values, MONEY_FIELDS, invoice.currency))


async def billable_account(
    session: SessionDep, customer_id: uuid.UUID, currency: str | None
) -> BillingAccount:
    account = await find_billing_account(session, customer_id)
    check_acceptable(
        customer_id,
        currency,
        customer_status=account.status if account else None,
        customer_currency=account.currency if account else None,
    )
    assert account is not None
    return account


@router.post("", status_code=status.HTTP_201_CREATED, summary="Draft a manual invoice")
async def create_invoice(
    clock: ClockDep,
    data: InvoiceCreate,
    session: SessionDep,
    actor: ARStaff,
    response: Response,
    settings: SettingsDep,
) -> InvoiceOut:
    """A draft invoice for charges not on a ticket, taxed where the work was done (the job-site
    address, else the customer's job site of that name, ship-to or bill-to). Issue it with
    `POST /v1/invoices/{id}/issue`. Dated more than `AR_INVOICING_MAX_FUTURE_DAYS` ahead: 422."""
    account = await billable_account(session, data.customer_id, data.currency)
    invoice_date = data.invoice_date or clock.today()
    check_not_ahead(
        invoice_date,
        today=clock.calendar_date(),
        tolerance_days=settings.max_future_days,
        what="the invoice date",
    )
    address = (
        data.job_site_address.model_dump(mode="json")
        if data.job_site_address
        else tax_address(None, data.job_site, account.addresses)
    )
    invoice = commands.build_draft(
        account=account,
        lines=[(facts, address) for facts in manual_lines(data.lines, account.currency)],
        jurisdictions=await jurisdictions_on(session, invoice_date),
        invoice_date=invoice_date,
        created_by=actor.subject,
        po_number=data.po_number,
        job_site=data.job_site,
        job_site_address=site_address(
            data.job_site_address.model_dump(mode="json") if data.job_site_address else None,
            data.job_site,
            account.addresses,
        ),
    )
    session.add(invoice)
    record_change(
        session,
        actor=actor,
        action="invoice_drafted",
        entity_type="invoice",
        entity_id=str(invoice.id),
        changes={"total": str(invoice.total), "lines": len(invoice.lines)},
    )
    await session.flush()
    response.headers["Location"] = f"{router.prefix}/{invoice.id}"
    return invoice_out(invoice)


@router.get("", summary="Search invoices")
async def list_invoices(
    session: SessionDep,
    actor: ScopedAnyRole,
    page: PageQuery,
    customer_id: uuid.UUID | None = None,
    status_: Annotated[InvoiceStatus | None, Query(alias="status")] = None,
    billing_run_id: uuid.UUID | None = None,
) -> Page[InvoiceOut]:
    """Invoices matching every filter, oldest first."""
    return await page_of(
        session,
        search_invoices(
            scope=actor.scope,
            customer_id=customer_id,
            status=status_,
            billing_run_id=billing_run_id,
        ),
        order_by=[col(Invoice.created_at), col(Invoice.id)],
        params=page,
        item=invoice_out,
    )


@router.post("/import", status_code=status.HTTP_201_CREATED, summary="Import legacy invoices")
async def import_invoices(
    clock: ClockDep,
    data: InvoiceImport,
    session: SessionDep,
    actor: ARStaff,
    settings: SettingsDep,
) -> ImportResult:
    """Go-live: bring over invoices already issued by the legacy system with their own numbers,
    dates and terms, and what each still owes (`open_balance`, default the total); each posts
    that opening balance (AR control against the chart's conversion account) and is published
    as `InvoiceIssued` marked `imported`. All or nothing: one bad invoice refuses the whole
    import."""
    ids = []
    for number, item in enumerate(data.invoices):
        account = await find_billing_account(session, item.customer_id)
        if account is None:
            raise InvoiceRuleBroken(f"invoices[{number}]: unknown customer {item.customer_id}")
        check_not_ahead(
            item.invoice_date,
            today=clock.calendar_date(),
            tolerance_days=settings.max_future_days,
            what=f"invoices[{number}]: the invoice date",
        )
        imported = await commands.import_invoice(
            session, item, account, actor, clock=clock, chart=settings.chart
        )
        ids.append(imported.id)
        await session.flush()
    return ImportResult(imported=len(ids), invoice_ids=ids)


@router.get("/{invoice_id}", summary="Read an invoice")
async def read_invoice(
    invoice_id: uuid.UUID, session: SessionDep, actor: ScopedAnyRole
) -> InvoiceOut:
    """The invoice with its lines, tax per jurisdiction, totals, what is open and its delivery
    (a 404 outside the caller's districts or customer)."""
    return invoice_out(await get_invoice(session, invoice_id, scope=actor.scope))


@router.get("/{invoice_id}/history", summary="Who changed the invoice, when and why")
async def invoice_history(
    invoice_id: uuid.UUID, session: SessionDep, actor: ScopedAnyRole
) -> list[HistoryEntry]:
    """Drafted, issued, credited, voided, delivered: each with who, when and why, oldest first."""
    await get_invoice(session, invoice_id, scope=actor.scope)
    return await history(session, "invoice", str(invoice_id))


@router.post("/{invoice_id}/issue", summary="Issue a draft invoice")
async def issue_invoice(
    clock: ClockDep,
    invoice_id: uuid.UUID,
    session: SessionDep,
    actor: ScopedARStaff,
    settings: SettingsDep,
) -> InvoiceOut:
    """Give the draft the next gapless number of its series, its due date and discount from the
    terms, post its journal entry and publish `InvoiceIssued`. An issued invoice is never edited."""
    invoice = await get_invoice(session, invoice_id, lock=True, scope=actor.scope)
    await commands.issue_invoices(session, [invoice], settings=settings, actor=actor, clock=clock)
    return invoice_out(invoice)


@router.post("/{invoice_id}/void", summary="Void an invoice")
async def void_invoice(
    clock: ClockDep,
    invoice_id: uuid.UUID,
    data: VoidIn,
    session: SessionDep,
    actor: ScopedARStaff,
    settings: SettingsDep,
) -> InvoiceOut:
    """Void an issued invoice not yet delivered, paid or credited (otherwise a 422: correct it
    with a credit memo). Its number stays used, its entry is reversed, its tickets are ready to
    bill again. Publishes `InvoiceVoided`."""
    invoice = await get_invoice(session, invoice_id, lock=True, scope=actor.scope)
    await commands.void_invoice(
        session, invoice, data.reason, settings=settings, actor=actor, clock=clock
    )
    return invoice_out(invoice)


@router.post("/{invoice_id}/rebill", summary="Rebill an invoice")
async def rebill(
    clock: ClockDep,
    invoice_id: uuid.UUID,
    data: RebillIn,
    session: SessionDep,
    actor: ScopedARStaff,
    settings: SettingsDep,
) -> RebillOut:
    """Credit the whole invoice (a credit memo marked rebill) and issue the corrected invoice,
    linked to it by `rebill_of`, in one transaction."""
    invoice = await get_invoice(session, invoice_id, lock=True, scope=actor.scope)
    memo, corrected = await rebill_invoice(
        session,
        invoice,
        lines=data.lines,
        po_number=data.po_number,
        reason_code=data.reason_code,
        reason=data.reason,
        jurisdictions=await jurisdictions_on(session, clock.today()),
        settings=settings,
        actor=actor,
        clock=clock,
    )
    return RebillOut(
        credit_memo_id=memo.id, credit_memo_number=memo.number, invoice=invoice_out(corrected)
    )


@router.get(
    "/{invoice_id}/pdf",
    summary="The invoice as PDF",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
async def invoice_pdf(
    invoice_id: uuid.UUID, session: SessionDep, actor: ScopedAnyRole, settings: SettingsDep
) -> Response:
    """The invoice a customer receives: company and remit-to, bill-to, job site, PO, terms, due
    date, lines with their tickets, tax per jurisdiction and totals."""
    invoice = await get_invoice(session, invoice_id, scope=actor.scope)
    return Response(
        render_invoice(invoice, settings.company),
        media_type="application/pdf",
        headers={
            "Content-Disposition": content_disposition(
                f"{invoice.number or invoice.id}.pdf", "inline"
            )
        },
    )


@router.post("/{invoice_id}/deliver", summary="Deliver an invoice")
async def deliver(
    clock: ClockDep,
    invoice_id: uuid.UUID,
    session: SessionDep,
    actor: ScopedARStaff,
    settings: SettingsDep,
) -> InvoiceOut:
    """Send the issued invoice as the customer's billing profile says (email with the PDF to
    its invoice contacts); the outcome, a failure included, is recorded on the invoice."""
    invoice = await get_invoice(session, invoice_id, lock=True, scope=actor.scope)
    await deliver_invoice(session, invoice, settings=settings, actor=actor, clock=clock)
    return invoice_out(invoice)
