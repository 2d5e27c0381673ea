"""The invoices API: manual drafts, issue, void, rebill, go-live import, PDF and delivery."""

import uuid
from typing import Annotated

from fastapi import Query, Response, status
from sqlmodel import col, select

from services.invoicing.accounts.models import BillingAccount
from services.invoicing.amounts import shown_fields
from services.invoicing.api_kit import Biller, Reader, SettingsDep, invoicing_router
from services.invoicing.credit_memos.commands import rebill_invoice
from services.invoicing.delivery.commands import deliver_invoice
from services.invoicing.documents.pdf import render_invoice
from services.invoicing.history import HistoryEntry, history
from services.invoicing.invoices import commands
from services.invoicing.invoices.domain import InvoiceRuleBroken, InvoiceStatus, open_amount
from services.invoicing.invoices.manual import manual_lines
from services.invoicing.invoices.models import Invoice
from services.invoicing.invoices.schemas import (
    ImportResult,
    InvoiceCreate,
    InvoiceImport,
    InvoiceOut,
    RebillIn,
    RebillOut,
    VoidIn,
)
from services.invoicing.tax.domain import tax_address
from services.invoicing.tax.repository import jurisdictions_on
from services.invoicing.tickets.domain import check_acceptable
from shared.api.pagination import Page, PageQuery, page_of
from shared.api.problems import NotFound
from shared.api.transaction import SessionDep
from shared.audit import record_change
from shared.clock import ClockDep

router = invoicing_router("/v1/invoices", "invoices")

MONEY_FIELDS = (
    "subtotal",
    "tax_total",
    "total",
    "credited",
    "paid",
    "open_amount",
    "discount_amount",
)


def invoice_out(invoice: Invoice) -> InvoiceOut:
    values = invoice.model_dump() | {
        "open_amount": open_amount(invoice.total, invoice.credited, invoice.paid)
    }
    return InvoiceOut.model_validate(shown_fields(values, MONEY_FIELDS, invoice.currency))


async def get_invoice(session: SessionDep, invoice_id: uuid.UUID, *, lock: bool = False) -> Invoice:
    statement = select(Invoice).where(Invoice.id == invoice_id)
    if lock:
        statement = statement.with_for_update()
    invoice = (await session.exec(statement)).first()
    if invoice is None:
        raise NotFound(f"no invoice {invoice_id}")
    return invoice


async def billable_account(
    session: SessionDep, customer_id: uuid.UUID, currency: str | None
) -> BillingAccount:
    account = await session.get(BillingAccount, customer_id)
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
    clock: ClockDep, data: InvoiceCreate, session: SessionDep, actor: Biller, response: Response
) -> InvoiceOut:
    """A draft invoice for charges not on a ticket, taxed where the work was done (the job-site
    address, else the customer's job site of that name, ship-to or bill-to). Issue it with
    `POST /v1/invoices/{id}/issue`."""
    account = await billable_account(session, data.customer_id, data.currency)
    invoice_date = data.invoice_date or clock.today()
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
    _: Reader,
    page: PageQuery,
    customer_id: uuid.UUID | None = None,
    status_: Annotated[InvoiceStatus | None, Query(alias="status")] = None,
    billing_run_id: uuid.UUID | None = None,
) -> Page[InvoiceOut]:
    """Invoices matching every filter, oldest first."""
    statement = select(Invoice)
    for column, value in (
        (Invoice.customer_id, customer_id),
        (Invoice.status, status_),
        (Invoice.billing_run_id, billing_run_id),
    ):
        if value is not None:
            statement = statement.where(column == value)
    return await page_of(
        session,
        statement,
        order_by=[col(Invoice.created_at), col(Invoice.id)],
        params=page,
        item=invoice_out,
    )


@router.post("/import", status_code=status.HTTP_201_CREATED, summary="Import legacy invoices")
async def import_invoices(
    clock: ClockDep, data: InvoiceImport, session: SessionDep, actor: Biller
) -> ImportResult:
    """Go-live: bring over invoices already issued by the legacy system with their own numbers,
    dates and terms; each is published as `InvoiceIssued` marked `imported` so collections can
    age it. All or nothing: one bad invoice refuses the whole import."""
    ids = []
    for number, item in enumerate(data.invoices):
        account = await session.get(BillingAccount, item.customer_id)
        if account is None:
            raise InvoiceRuleBroken(f"invoices[{number}]: unknown customer {item.customer_id}")
        ids.append((await commands.import_invoice(session, item, account, actor, clock=clock)).id)
        await session.flush()
    return ImportResult(imported=len(ids), invoice_ids=ids)


@router.get("/{invoice_id}", summary="Read an invoice")
async def read_invoice(invoice_id: uuid.UUID, session: SessionDep, _: Reader) -> InvoiceOut:
    """The invoice with its lines, tax per jurisdiction, totals, what is open and its delivery."""
    return invoice_out(await get_invoice(session, invoice_id))


@router.get("/{invoice_id}/history", summary="Who changed the invoice, when and why")
async def invoice_history(
    invoice_id: uuid.UUID, session: SessionDep, _: Reader
) -> list[HistoryEntry]:
    """Drafted, issued, credited, voided, delivered: each with who, when and why, oldest first."""
    await get_invoice(session, invoice_id)
    return await history(session, "invoice", invoice_id)


@router.post("/{invoice_id}/issue", summary="Issue a draft invoice")
async def issue_invoice(
    clock: ClockDep,
    invoice_id: uuid.UUID,
    session: SessionDep,
    actor: Biller,
    settings: SettingsDep,
) -> InvoiceOut:
    """Give the draft the next gapless number of its series, its due date and discount from the
    terms, post its journal entry and publish `InvoiceIssued`. An issued invoice is never edited."""
    invoice = await get_invoice(session, invoice_id, lock=True)
    await commands.issue_invoices(session, [invoice], settings=settings, actor=actor, clock=clock)
    return invoice_out(invoice)


@router.post("/{invoice_id}/void", summary="Void an invoice")
async def void_invoice(
    clock: ClockDep,
    invoice_id: uuid.UUID,
    data: VoidIn,
    session: SessionDep,
    actor: Biller,
    settings: SettingsDep,
) -> InvoiceOut:
    """Void an issued invoice not yet delivered, paid or credited (otherwise a 422: correct it
    with a credit memo). Its number stays used, its entry is reversed, its tickets are ready to
    bill again. Publishes `InvoiceVoided`."""
    invoice = await get_invoice(session, invoice_id, lock=True)
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
    actor: Biller,
    settings: SettingsDep,
) -> RebillOut:
    """Credit the whole invoice (a credit memo marked rebill) and issue the corrected invoice,
    linked to it by `rebill_of`, in one transaction."""
    invoice = await get_invoice(session, invoice_id, lock=True)
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
    invoice_id: uuid.UUID, session: SessionDep, _: Reader, settings: SettingsDep
) -> Response:
    """The invoice a customer receives: company and remit-to, bill-to, job site, PO, terms, due
    date, lines with their tickets, tax per jurisdiction and totals."""
    invoice = await get_invoice(session, invoice_id)
    return Response(
        render_invoice(invoice, settings.company),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{invoice.number or invoice.id}.pdf"'},
    )


@router.post("/{invoice_id}/deliver", summary="Deliver an invoice")
async def deliver(
    clock: ClockDep,
    invoice_id: uuid.UUID,
    session: SessionDep,
    actor: Biller,
    settings: SettingsDep,
) -> InvoiceOut:
    """Send the issued invoice as the customer's billing profile says (email with the PDF to
    its invoice contacts); the outcome, a failure included, is recorded on the invoice."""
    invoice = await get_invoice(session, invoice_id, lock=True)
    await deliver_invoice(session, invoice, settings=settings, actor=actor, clock=clock)
    return invoice_out(invoice)
