"""The invoicing service as the platform runs it: its routes, migrations and event handlers."""

from pathlib import Path

from services.invoicing.api import ROUTERS
from services.invoicing.handlers import HANDLERS
from services.invoicing.jobs import deliver_issued_invoices, publish_rental_accruals
from services.invoicing.settings import InvoicingSettings
from shared.events.invoicing import (
    CreditMemoIssued,
    InvoiceIssued,
    InvoiceVoided,
    RentalAccrued,
    RentalEnded,
    RentalStarted,
    TicketClosed,
    TicketHeld,
    VendorBillPosted,
)
from shared.service import ServiceDefinition

definition = ServiceDefinition(
    name="invoicing",
    title="Invoicing",
    description=(
        "Closed service tickets to correct, taxed, numbered invoices: ticket intake and review, "
        "the sales-tax database, billing runs, invoices, credit memos, rebills, voids, PDF and "
        "email delivery, and the journal they post."
    ),
    settings_class=InvoicingSettings,
    routers=ROUTERS,
    migrations=Path(__file__).parent / "migrations",
    handlers=HANDLERS,
    publishes=[
        TicketClosed,
        TicketHeld,
        InvoiceIssued,
        InvoiceVoided,
        CreditMemoIssued,
        VendorBillPosted,
        RentalStarted,
        RentalEnded,
        RentalAccrued,
    ],
    background=[deliver_issued_invoices, publish_rental_accruals],
)
