"""Automatic delivery: issued invoices not yet sent are delivered by their billing profile's
method once they are old enough (the grace period leaves time to void a mistake unsent)."""

import asyncio
import logging
from datetime import timedelta
from typing import cast

from sqlmodel import col, select

from services.invoicing.commands.delivery import deliver_invoice
from services.invoicing.domain.invoices import DeliveryStatus, InvoiceStatus
from services.invoicing.models.invoices import Invoice
from services.invoicing.settings import InvoicingSettings
from shared.clock import Clock
from shared.db import Database
from shared.service import Service

log = logging.getLogger(__name__)
BATCH = 100


async def deliver_due(db: Database, settings: InvoicingSettings, *, clock: Clock) -> int:
    """Deliver invoices issued before the grace period that were never tried (a failure waits
    for someone to fix the contact and deliver it again); one transaction per invoice."""
    issued_before = clock.now() - timedelta(seconds=settings.delivery_grace_seconds)
    async with db.transaction() as session:
        due = (
            await session.exec(
                select(Invoice.id)
                .where(
                    Invoice.status == InvoiceStatus.ISSUED,
                    Invoice.delivery_status == DeliveryStatus.NOT_SENT,
                    col(Invoice.issued_at) < issued_before,
                )
                .order_by(col(Invoice.issued_at))
                .limit(BATCH)
            )
        ).all()
    for invoice_id in due:
        async with db.transaction() as session:
            invoice = await session.get(Invoice, invoice_id, with_for_update=True)
            if invoice is not None and invoice.delivery_status == DeliveryStatus.NOT_SENT:
                await deliver_invoice(session, invoice, settings=settings, actor=None, clock=clock)
    return len(due)


async def deliver_issued_invoices(service: Service) -> None:
    """Sweep at `AR_INVOICING_DELIVERY_SWEEP_SECONDS` until the service stops; off when unset."""
    settings = cast(InvoicingSettings, service.settings)
    if settings.delivery_sweep_seconds is None:
        return
    while True:
        try:
            await deliver_due(service.db, settings, clock=service.clock)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("invoice delivery sweep failed; trying again at the next interval")
        await asyncio.sleep(settings.delivery_sweep_seconds)
