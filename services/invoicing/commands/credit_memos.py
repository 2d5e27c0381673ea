"""Issuing credit memos and rebills: corrections are new documents, never edits."""

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from services.invoicing.commands.invoices import build_draft, issue_invoices
from services.invoicing.commands.journal import post_entry
from services.invoicing.commands.manual_invoices import manual_lines
from services.invoicing.domain import credit_memos as domain
from services.invoicing.domain.amounts import shown
from services.invoicing.domain.credit_memos import Credit, CreditRequest
from services.invoicing.domain.invoices import (
    InvoiceRuleBroken,
    InvoiceStatus,
    number_of,
    open_amount,
    series_of,
)
from services.invoicing.domain.journal import document_entry
from services.invoicing.domain.tax import Jurisdiction, tax_address
from services.invoicing.models.accounts import BillingAccount
from services.invoicing.models.credit_memos import CreditMemo
from services.invoicing.models.invoices import Invoice
from services.invoicing.models.tickets import Ticket
from services.invoicing.publishing import outbox
from services.invoicing.queries.credit_memos import credited_by
from services.invoicing.schemas.invoices import ManualLineIn
from services.invoicing.settings import InvoicingSettings
from shared.api.problems import Forbidden
from shared.audit import record_change
from shared.auth import Principal, Role
from shared.authority import exceeds
from shared.clock import Clock
from shared.events.invoicing import CreditMemoIssued
from shared.numbering import next_in_series
from shared.periods import ensure_open

CREDIT_MEMO_KIND = "CM"


def credit_for(invoice: Invoice, requests: Sequence[CreditRequest] | None) -> Credit:
    if requests is None:
        return domain.whole_credit(invoice.lines, invoice.taxes)
    return domain.partial_credit(invoice.lines, invoice.taxes, requests, invoice.currency)


async def _check_approval_limit(
    session: AsyncSession,
    invoice: Invoice,
    credit: Credit,
    settings: InvoicingSettings,
    actor: Principal,
    today: date,
) -> None:
    """Refuse a memo that takes what this person credited on the invoice (or, with the setting,
    on the customer today) above the approval limit: only an ar_supervisor may go beyond."""
    limit = settings.credit_memo_approval_limit
    already = await credited_by(
        session,
        actor.subject,
        invoice.id,
        (invoice.customer_id, today) if settings.credit_memo_limit_per_customer_day else None,
    )
    if exceeds(limit, already, credit.total):
        shown_already = shown(already.amount, invoice.currency)
        raise Forbidden(
            f"credit memos above {limit} {invoice.currency} need an ar_supervisor's approval; "
            f"with this one you would have credited {shown_already + credit.total} "
            f"{already.scope}",
            approval_limit=str(limit),
            already_credited=str(shown_already),
        )


async def issue_credit_memo(
    session: AsyncSession,
    invoice: Invoice,
    credit: Credit,
    *,
    reason_code: str,
    reason: str | None,
    settings: InvoicingSettings,
    actor: Principal,
    rebill: bool = False,
    clock: Clock,
) -> CreditMemo:
    """Credit part or all of what is open on an issued invoice: a gapless CM number, the
    invoice's entry reversed for the credited part, `CreditMemoIssued`. Beyond the approval
    limit (counting what the issuer credited before) only an ar_supervisor may issue it."""
    if invoice.status != InvoiceStatus.ISSUED:
        raise InvoiceRuleBroken(
            f"only an issued invoice can be credited; this one is {invoice.status}"
        )
    domain.check_creditable(
        credit,
        open_amount(invoice.total, invoice.credited, invoice.paid, invoice.credit_on_account),
    )
    today = clock.today()
    await ensure_open(session, today)
    if not actor.has(Role.AR_SUPERVISOR):
        await _check_approval_limit(session, invoice, credit, settings, actor, today)
    value = await next_in_series(
        session, series_of(settings.company.legal_entity, CREDIT_MEMO_KIND, today.year)
    )
    memo = CreditMemo(
        id=uuid.uuid4(),
        number=number_of(CREDIT_MEMO_KIND, today.year, value),
        invoice_id=invoice.id,
        customer_id=invoice.customer_id,
        currency=invoice.currency,
        issued_on=today,
        reason_code=reason_code,
        reason=reason,
        rebill=rebill,
        lines=[line.model_dump(mode="json") for line in credit.lines],
        taxes=[tax.model_dump(mode="json") for tax in credit.taxes],
        subtotal=credit.subtotal,
        tax_total=credit.tax_total,
        total=credit.total,
        approved_by=actor.subject,
    )
    session.add(memo)
    invoice.credited += credit.total
    entry = document_entry(
        source="credit_memo",
        document_id=memo.id,
        document_number=memo.number,
        posted_on=today,
        currency=memo.currency,
        business_district=invoice.business_district,
        lines=credit.lines,
        taxes=credit.taxes,
        chart=settings.chart,
        reverse=True,
    )
    post_entry(session, entry)
    outbox.add(
        session,
        CreditMemoIssued(
            credit_memo_id=memo.id,
            number=memo.number,
            customer_id=memo.customer_id,
            currency=memo.currency,
            issued_on=today,
            invoice_id=invoice.id,
            invoice_number=invoice.number,
            reason_code=reason_code,
            reason=reason,
            rebill=rebill,
            lines=credit.lines,
            taxes=credit.taxes,
            subtotal=credit.subtotal,
            tax_total=credit.tax_total,
            total=credit.total,
            business_district=invoice.business_district,
            sales_rep=invoice.sales_rep,
            journal=entry,
        ),
        customer_id=str(memo.customer_id),
        aggregate_id=str(memo.id),
    )
    record_change(
        session,
        actor=actor,
        action="credit_memo_issued",
        entity_type="invoice",
        entity_id=str(invoice.id),
        changes={
            "credit_memo": memo.number,
            "total": str(credit.total),
            "credited": {"from": str(invoice.credited - credit.total), "to": str(invoice.credited)},
        },
        reason=f"{reason_code}: {reason}" if reason else reason_code,
    )
    return memo


async def rebill_invoice(
    session: AsyncSession,
    invoice: Invoice,
    *,
    lines: Sequence[ManualLineIn],
    po_number: str | None,
    reason_code: str,
    reason: str | None,
    jurisdictions: Sequence[Jurisdiction],
    settings: InvoicingSettings,
    actor: Principal,
    clock: Clock,
) -> tuple[CreditMemo, Invoice]:
    """Credit the whole original and issue the corrected invoice linked to it, in one
    transaction; the original's tickets move to the corrected invoice."""
    if invoice.credited or invoice.paid:
        raise InvoiceRuleBroken(
            "a rebill credits the whole invoice; this one has payments or credits already"
        )
    memo = await issue_credit_memo(
        session,
        invoice,
        domain.whole_credit(invoice.lines, invoice.taxes),
        reason_code=reason_code,
        reason=reason,
        settings=settings,
        actor=actor,
        rebill=True,
        clock=clock,
    )
    account = await session.get(BillingAccount, invoice.customer_id)
    assert account is not None  # it was billed before
    where = tax_address(None, invoice.job_site, account.addresses)
    corrected = build_draft(
        account=account,
        lines=[(facts, where) for facts in manual_lines(lines, invoice.currency)],
        jurisdictions=jurisdictions,
        invoice_date=clock.today(),
        created_by=actor.subject,
        po_number=po_number or invoice.po_number,
        job_site=invoice.job_site,
        job_site_address=invoice.job_site_address,
        ticket_ids=[uuid.UUID(t) for t in invoice.ticket_ids],
        rebill_of=invoice.id,
        sales_rep=invoice.sales_rep,
    )
    session.add(corrected)
    await session.flush()
    await session.exec(
        update(Ticket).where(col(Ticket.invoice_id) == invoice.id).values(invoice_id=corrected.id)
    )
    await issue_invoices(session, [corrected], settings=settings, actor=actor, clock=clock)
    return memo, corrected
