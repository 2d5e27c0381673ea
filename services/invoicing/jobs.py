"""Automatic delivery: issued invoices not yet sent are delivered by their billing profile's
method once they are old enough (the grace period leaves time to void a mistake unsent). And
the daily figure of rent and storage earned but not billed, per customer renting."""

import asyncio
import logging
from datetime import timedelta
from typing import cast

from sqlmodel import col, select

from services.invoicing.commands.delivery import deliver_invoice
from services.invoicing.domain.invoices import DeliveryStatus, InvoiceStatus
from services.invoicing.models.invoices import Invoice
from services.invoicing.publishing.rentals import publish_accrued
from services.invoicing.queries.rentals import customers_renting
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


async def publish_accruals(db: Database, *, clock: Clock) -> int:
    """Each renting customer's accrued-not-billed figure as of today, one transaction each."""
    async with db.transaction() as session:
        customers = await customers_renting(session)
    for customer_id in sorted(customers):
        async with db.transaction() as session:
            await publish_accrued(session, customer_id, clock.today())
    return len(customers)


async def publish_rental_accruals(service: Service) -> None:
    """At `AR_INVOICING_RENTAL_ACCRUAL_SECONDS` (daily) until the service stops; off when unset:
    rent grows every day a line is out, with no other event to say so."""
    settings = cast(InvoicingSettings, service.settings)
    if settings.rental_accrual_seconds is None:
        return
    while True:
        try:
            await publish_accruals(service.db, clock=service.clock)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("rental accruals failed; trying again at the next interval")
        await asyncio.sleep(settings.rental_accrual_seconds)
