"""Delivering issued invoices the way each customer's billing profile says; the outcome is
recorded on the invoice (and audited), a failure included."""

import uuid

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.invoicing.documents.pdf import render_invoice
from services.invoicing.domain.invoices import DeliveryStatus, InvoiceRuleBroken, InvoiceStatus
from services.invoicing.models.accounts import BillingAccount
from services.invoicing.models.invoices import Invoice
from services.invoicing.settings import InvoicingSettings
from shared.audit import record_change
from shared.auth import Principal
from shared.clock import Clock
from shared.events.customers import DeliveryMethod
from shared.mail import Attachment, MailError, compose, send


async def deliver_invoice(
    session: AsyncSession,
    invoice: Invoice,
    *,
    settings: InvoicingSettings,
    actor: Principal | None,
    clock: Clock,
) -> None:
    """Email the PDF to the customer's invoice contacts (or leave it on the portal, or queue it
    for print and mail). An invoice already delivered is left as it is."""
    if invoice.status != InvoiceStatus.ISSUED:
        raise InvoiceRuleBroken(
            f"only an issued invoice is delivered; this one is {invoice.status}"
        )
    if invoice.delivery_status == DeliveryStatus.SENT:
        return
    account = await session.get(BillingAccount, invoice.customer_id)
    recipients = [
        c["email"]
        for c in (account.contacts if account else [])
        if c.get("receives_invoices") and c.get("email")
    ]
    if invoice.delivery_method == DeliveryMethod.EMAIL and not recipients:
        status, detail = DeliveryStatus.FAILED, "no billing contact receives invoices by email"
    elif invoice.delivery_method == DeliveryMethod.EMAIL:
        company, number = settings.company, invoice.number or ""
        message = compose(
            settings.smtp,
            to=recipients,
            subject=f"Invoice {number} from {company.legal_name}",
            body=(
                f"Dear {invoice.customer_name},\n\nPlease find invoice {number} attached.\n\n"
                f"Remit to: {company.legal_name}, {', '.join(company.remit_to)}.\n\n"
                f"{company.legal_name}\n"
            ),
            attachments=[Attachment(f"{number}.pdf", render_invoice(invoice, company))],
        )
        try:
            status, detail = DeliveryStatus.SENT, str(await send(message, settings.smtp))
        except MailError as exc:
            status, detail = DeliveryStatus.FAILED, f"SMTP: {exc}"
    else:
        status, detail = DeliveryStatus.SENT, f"by {invoice.delivery_method}: the PDF is on file"
    record_change(
        session,
        actor=actor,
        action="invoice_delivery",
        entity_type="invoice",
        entity_id=str(invoice.id),
        changes={
            "delivery_status": {"from": invoice.delivery_status, "to": status},
            "detail": detail,
        },
    )
    invoice.delivery_status, invoice.delivery_detail = status, detail[:1000]
    if status == DeliveryStatus.SENT:
        invoice.delivered_at = clock.now()


async def undelivered(session: AsyncSession, run_id: uuid.UUID) -> list[Invoice]:
    """A run's issued invoices not yet delivered, in number order."""
    statement = (
        select(Invoice)
        .where(
            Invoice.billing_run_id == run_id,
            Invoice.status == InvoiceStatus.ISSUED,
            Invoice.delivery_status != DeliveryStatus.SENT,
        )
        .order_by(col(Invoice.number))
        .with_for_update()
    )
    return list((await session.exec(statement)).all())
