"""The invoice events as invoicing publishes them, built from the stored invoice."""

import uuid
from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from services.invoicing.domain.amounts import shown
from services.invoicing.models.invoices import Invoice
from services.invoicing.publishing import outbox
from shared.events.customers import PaymentTerms
from shared.events.invoicing import InvoiceIssued, InvoiceLineFacts, InvoiceVoided, TaxLineFacts
from shared.events.journal import JournalEntry


def invoice_lines(invoice: Invoice) -> list[InvoiceLineFacts]:
    return [InvoiceLineFacts.model_validate(line) for line in invoice.lines]


def invoice_taxes(invoice: Invoice) -> list[TaxLineFacts]:
    return [TaxLineFacts.model_validate(tax) for tax in invoice.taxes]


def publish_issued(
    session: AsyncSession,
    invoice: Invoice,
    journal: JournalEntry | None,
    *,
    lines: list[InvoiceLineFacts] | None = None,
    taxes: list[TaxLineFacts] | None = None,
    open_balance: Decimal | None = None,
) -> None:
    """`InvoiceIssued` into the outbox (`lines` and `taxes` when already read; an import's
    `open_balance`)."""
    assert invoice.number is not None and invoice.due_date is not None
    outbox.add(
        session,
        InvoiceIssued(
            invoice_id=invoice.id,
            number=invoice.number,
            customer_id=invoice.customer_id,
            currency=invoice.currency,
            invoice_date=invoice.invoice_date,
            due_date=invoice.due_date,
            terms=PaymentTerms.model_validate(invoice.terms),
            discount_due_date=invoice.discount_due_date,
            discount_amount=None
            if invoice.discount_amount is None
            else shown(invoice.discount_amount, invoice.currency),
            business_district=invoice.business_district,
            sales_rep=invoice.sales_rep,
            po_number=invoice.po_number,
            job_site=invoice.job_site,
            ticket_ids=[uuid.UUID(t) for t in invoice.ticket_ids],
            lines=invoice_lines(invoice) if lines is None else lines,
            taxes=invoice_taxes(invoice) if taxes is None else taxes,
            subtotal=shown(invoice.subtotal, invoice.currency),
            tax_total=shown(invoice.tax_total, invoice.currency),
            total=shown(invoice.total, invoice.currency),
            imported=invoice.imported,
            rebill_of=invoice.rebill_of,
            claim_for=invoice.claim_for,
            claim_number=invoice.claim_number,
            journal=journal,
            open_balance=None if open_balance is None else shown(open_balance, invoice.currency),
        ),
        customer_id=str(invoice.customer_id),
        aggregate_id=str(invoice.id),
    )


def publish_voided(session: AsyncSession, invoice: Invoice, journal: JournalEntry) -> None:
    assert invoice.number is not None and invoice.voided_on is not None
    outbox.add(
        session,
        InvoiceVoided(
            invoice_id=invoice.id,
            number=invoice.number,
            customer_id=invoice.customer_id,
            currency=invoice.currency,
            voided_on=invoice.voided_on,
            reason=invoice.void_reason or "",
            total=shown(invoice.total, invoice.currency),
            ticket_ids=[uuid.UUID(t) for t in invoice.ticket_ids],
            journal=journal,
        ),
        customer_id=str(invoice.customer_id),
        aggregate_id=str(invoice.id),
    )
