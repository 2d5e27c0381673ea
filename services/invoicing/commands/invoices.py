"""Changes to invoices: drafts, issue (gapless number, due date, journal, InvoiceIssued), void
and go-live import. Each in the caller's transaction, audited, published through the outbox."""

import uuid
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.invoicing.commands.journal import post_entries, post_entry
from services.invoicing.domain import invoices as domain
from services.invoicing.domain import terms
from services.invoicing.domain.costs import PassThrough
from services.invoicing.domain.invoices import InvoiceRuleBroken, InvoiceStatus
from services.invoicing.domain.journal import document_entry, opening_balance_entry
from services.invoicing.domain.tax import (
    Jurisdiction,
    jurisdictions_for,
    printed_address,
    site_address,
)
from services.invoicing.domain.tickets import TicketStatus
from services.invoicing.models.accounts import BillingAccount
from services.invoicing.models.costs import VendorBillLine
from services.invoicing.models.invoices import Invoice
from services.invoicing.models.tickets import Ticket
from services.invoicing.publishing.invoices import (
    invoice_lines,
    invoice_taxes,
    publish_issued,
    publish_voided,
)
from services.invoicing.publishing.rentals import publish_accrued
from services.invoicing.schemas.invoices import ImportedInvoiceIn
from services.invoicing.settings import InvoicingSettings
from shared.api.money import require_minor_units
from shared.api.problems import Conflict
from shared.audit import record_change
from shared.auth import Principal
from shared.clock import Clock
from shared.events.customers import DeliveryMethod, PaymentTerms
from shared.events.invoicing import InvoiceLineFacts
from shared.journal import ChartOfAccounts
from shared.numbering import next_in_series
from shared.periods import ensure_open, posting_date

INVOICE_KIND = "INV"

Address = Mapping[str, Any] | None


def bill_to(account: BillingAccount) -> dict[str, Any] | None:
    return next((a for a in account.addresses if a.get("kind") == "bill_to"), None)


def draft_values(
    *,
    account: BillingAccount,
    lines: Sequence[tuple[InvoiceLineFacts, Address]],
    jurisdictions: Sequence[Jurisdiction],
    invoice_date: date,
    created_by: str,
    po_number: str | None = None,
    job_site: str | None = None,
    job_site_address: Address = None,
    ticket_ids: Sequence[uuid.UUID] = (),
    billing_run_id: uuid.UUID | None = None,
    rebill_of: uuid.UUID | None = None,
    sales_rep: str | None = None,
) -> dict[str, Any]:
    """The columns of a draft invoice of these lines, taxed where each line's work was done, on
    the customer's current terms (a billing run inserts thousands of them at once)."""
    cache: dict[str, list[Jurisdiction]] = {}

    def where(address: Address) -> list[Jurisdiction]:
        key = repr(sorted(address.items())) if address else ""
        if key not in cache:
            cache[key] = jurisdictions_for(address, jurisdictions)
        return cache[key]

    priced = domain.price(
        [(facts, where(address)) for facts, address in lines],
        certificates=account.exemption_certificates,
        on=invoice_date,
        currency=account.currency,
    )
    return dict(
        id=uuid.uuid4(),
        status=InvoiceStatus.DRAFT,
        customer_id=account.id,
        customer_name=account.legal_name,
        account_number=account.account_number,
        currency=account.currency,
        invoice_date=invoice_date,
        terms=account.payment_terms,
        business_district=account.business_district,
        sales_rep=sales_rep or account.sales_rep,
        po_number=po_number,
        job_site=job_site,
        job_site_address=printed_address(job_site_address),
        special_instructions=account.billing_profile.get("special_instructions"),
        bill_to=bill_to(account),
        ticket_ids=[str(t) for t in ticket_ids],
        lines=priced.lines,
        taxes=[t.model_dump(mode="json") for t in priced.taxes],
        subtotal=priced.subtotal,
        tax_total=priced.tax_total,
        total=priced.total,
        billing_run_id=billing_run_id,
        rebill_of=rebill_of,
        delivery_method=account.billing_profile.get("delivery_method", DeliveryMethod.EMAIL),
        created_by=created_by,
    )


def build_draft(**facts: Any) -> Invoice:
    """A draft invoice (see `draft_values`), not yet added to the session."""
    return Invoice(**draft_values(**facts))


async def issue_invoices(
    session: AsyncSession,
    invoices: Sequence[Invoice],
    *,
    settings: InvoicingSettings,
    actor: Principal | None,
    clock: Clock,
) -> None:
    """Issue drafts: each takes the next number of its series inside this transaction (so a
    rollback gives the numbers back), gets its due date and discount from its terms, posts its
    journal entry and publishes `InvoiceIssued`; its tickets become billed."""
    for invoice in invoices:
        if invoice.status != InvoiceStatus.DRAFT:
            raise InvoiceRuleBroken(
                f"invoice {invoice.number or invoice.id} is {invoice.status}, not a draft"
            )
    for invoice_date in sorted({invoice.invoice_date for invoice in invoices}):
        posts_on = await posting_date(session, invoice_date, settings.closed_month_policy)
        for invoice in invoices:
            if posts_on != invoice_date and invoice.invoice_date == invoice_date:
                # Its month is closed and the setting moves it: the invoice says from where.
                set_committed_value(invoice, "redated_from", invoice_date)
                set_committed_value(invoice, "invoice_date", posts_on)
    numbers: dict[uuid.UUID, str] = {}
    by_year: dict[int, list[Invoice]] = {}
    for invoice in invoices:
        by_year.setdefault(invoice.invoice_date.year, []).append(invoice)
    for year, of_year in sorted(by_year.items()):
        # The batch's numbers in one update of the series row, in the order given.
        first = await next_in_series(
            session,
            domain.series_of(settings.company.legal_entity, INVOICE_KIND, year),
            len(of_year),
        )
        for offset, invoice in enumerate(of_year):
            numbers[invoice.id] = domain.number_of(INVOICE_KIND, year, first + offset)
    entries, changes = [], []
    for invoice in invoices:
        payment_terms = PaymentTerms.model_validate(invoice.terms)
        discount_due, discount = terms.early_payment_discount(
            payment_terms, invoice.invoice_date, invoice.total, invoice.currency
        )
        issued: dict[str, Any] = {
            "invoice_date": invoice.invoice_date,
            "redated_from": invoice.redated_from,
            "number": numbers[invoice.id],
            "due_date": terms.due_date(payment_terms, invoice.invoice_date),
            "discount_due_date": discount_due,
            "discount_amount": discount,
            "status": InvoiceStatus.ISSUED,
            "issued_at": clock.now(),
        }
        # Written below in one executemany for the batch, not one flush per invoice.
        for name, value in issued.items():
            set_committed_value(invoice, name, value)
        changes.append({"id": invoice.id, **issued})
        lines, taxes = invoice_lines(invoice), invoice_taxes(invoice)
        entry = document_entry(
            source="invoice",
            document_id=invoice.id,
            document_number=invoice.number,
            posted_on=invoice.invoice_date,
            currency=invoice.currency,
            business_district=invoice.business_district,
            lines=lines,
            taxes=taxes,
            chart=settings.chart,
        )
        entries.append(entry)
        publish_issued(session, invoice, entry, lines=lines, taxes=taxes)
        record_change(
            session,
            actor=actor,
            action="invoice_issued",
            entity_type="invoice",
            entity_id=str(invoice.id),
            changes={
                "number": issued["number"],
                "total": str(invoice.total),
                "due_date": issued["due_date"].isoformat(),
            },
        )
    await session.exec(update(Invoice), params=changes)
    await post_entries(session, entries)
    await session.exec(
        update(Ticket)
        .where(col(Ticket.invoice_id).in_([invoice.id for invoice in invoices]))
        .values(status=TicketStatus.BILLED)
    )


async def void_invoice(
    session: AsyncSession,
    invoice: Invoice,
    reason: str,
    *,
    settings: InvoicingSettings,
    actor: Principal,
    clock: Clock,
) -> None:
    """Void an issued invoice nobody has received or paid: its number stays used, its entry is
    reversed, its tickets are ready to bill again. Publishes `InvoiceVoided`."""
    domain.check_voidable(
        status=invoice.status,
        delivery_status=invoice.delivery_status,
        paid=invoice.paid,
        credited=invoice.credited,
    )
    today = clock.today()
    await ensure_open(session, today)
    invoice.status, invoice.voided_on, invoice.void_reason = InvoiceStatus.VOIDED, today, reason
    entry = document_entry(
        source="invoice_void",
        document_id=invoice.id,
        document_number=invoice.number,
        posted_on=today,
        currency=invoice.currency,
        business_district=invoice.business_district,
        lines=invoice_lines(invoice),
        taxes=invoice_taxes(invoice),
        chart=settings.chart,
        reverse=True,
    )
    post_entry(session, entry)
    publish_voided(session, invoice, entry)
    await session.exec(
        update(Ticket)
        .where(col(Ticket.invoice_id) == invoice.id)
        .values(status=TicketStatus.READY, invoice_id=None)
    )
    # The pass-through charges it carried for its tickets wait for their next invoice again.
    waiting = await session.exec(
        update(VendorBillLine)
        .where(
            col(VendorBillLine.invoice_id) == invoice.id,
            col(VendorBillLine.ticket_id).in_([uuid.UUID(t) for t in invoice.ticket_ids]),
        )
        .values(
            pass_through_status=PassThrough.PENDING,
            billed_amount=0,
            invoice_id=None,
            invoice_line=None,
        )
    )
    if waiting.rowcount:  # type: ignore[attr-defined]
        await publish_accrued(session, invoice.customer_id, today)
    record_change(
        session,
        actor=actor,
        action="invoice_voided",
        entity_type="invoice",
        entity_id=str(invoice.id),
        changes={"status": {"from": "issued", "to": "voided"}},
        reason=reason,
    )


async def import_invoice(
    session: AsyncSession,
    data: ImportedInvoiceIn,
    account: BillingAccount,
    actor: Principal,
    *,
    clock: Clock,
    chart: ChartOfAccounts,
) -> Invoice:
    """Bring over a legacy invoice as issued, with its own number, dates and terms; published
    as `InvoiceIssued` marked imported. What it still owes is its opening balance, posted on its
    invoice date as AR control against the chart's conversion account, so the ledger ties to
    the journal from the first day (docs/domain.md#go-live); the part the legacy system saw
    paid counts as paid here."""
    await ensure_open(session, data.invoice_date)
    open_balance = data.total if data.open_balance is None else data.open_balance
    if open_balance > data.total:
        raise InvoiceRuleBroken(
            f"invoice {data.number}: the open balance {open_balance} is more than the total "
            f"{data.total}"
        )
    require_minor_units(
        account.currency,
        data.total,
        open_balance,
        *(line.amount for line in data.lines),
        *(amount for tax in data.taxes for amount in (tax.taxable_amount, tax.amount)),
    )
    lines = [line.model_dump(mode="json") | {"taxed_in": []} for line in data.lines]
    subtotal = sum((line.amount for line in data.lines), Decimal(0))
    tax_total = sum((tax.amount for tax in data.taxes), Decimal(0))
    if subtotal + tax_total != data.total:
        raise InvoiceRuleBroken(
            f"invoice {data.number}: lines {subtotal} plus taxes {tax_total} "
            f"is not the total {data.total}"
        )
    clash = (await session.exec(select(Invoice.id).where(Invoice.number == data.number))).first()
    if clash is not None:
        raise Conflict(f"invoice number {data.number} exists already", invoice_id=str(clash))
    payment_terms = data.terms or PaymentTerms.model_validate(account.payment_terms)
    invoice = Invoice(
        id=uuid.uuid4(),
        number=data.number,
        status=InvoiceStatus.ISSUED,
        customer_id=account.id,
        customer_name=account.legal_name,
        account_number=account.account_number,
        currency=account.currency,
        invoice_date=data.invoice_date,
        due_date=data.due_date or terms.due_date(payment_terms, data.invoice_date),
        terms=payment_terms.model_dump(mode="json"),
        business_district=account.business_district,
        sales_rep=account.sales_rep,
        po_number=data.po_number,
        job_site=data.job_site,
        job_site_address=printed_address(site_address(None, data.job_site, account.addresses)),
        bill_to=bill_to(account),
        lines=lines,
        taxes=[t.model_dump(mode="json") for t in data.taxes],
        subtotal=subtotal,
        tax_total=tax_total,
        total=data.total,
        paid=data.total - open_balance,
        imported=True,
        delivery_status=domain.DeliveryStatus.SENT,
        delivery_detail="delivered by the legacy system",
        created_by=actor.subject,
        issued_at=clock.now(),
    )
    session.add(invoice)
    entry = opening_balance_entry(
        document_id=invoice.id,
        document_number=data.number,
        posted_on=data.invoice_date,
        currency=account.currency,
        business_district=account.business_district,
        amount=open_balance,
        chart=chart,
    )
    post_entry(session, entry)
    publish_issued(session, invoice, entry, open_balance=open_balance)
    record_change(
        session,
        actor=actor,
        action="invoice_imported",
        entity_type="invoice",
        entity_id=str(invoice.id),
        changes={
            "number": data.number,
            "total": str(data.total),
            "open_balance": str(open_balance),
        },
    )
    return invoice
