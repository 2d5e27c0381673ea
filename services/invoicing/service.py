"""The invoicing service as the platform runs it: its routes, migrations and event handlers."""

from pathlib import Path

from services.invoicing.accounts import events as account_events
from services.invoicing.accounts.api import router as accounts_router
from services.invoicing.billing.api import router as billing_router
from services.invoicing.credit_memos.api import router as credit_memos_router
from services.invoicing.delivery.sweep import deliver_issued_invoices
from services.invoicing.invoices import payments
from services.invoicing.invoices.api import router as invoices_router
from services.invoicing.journal.api import router as journal_router
from services.invoicing.settings import InvoicingSettings
from services.invoicing.tax.api import router as tax_router
from services.invoicing.tickets import events as ticket_events
from services.invoicing.tickets.api import rate_cards
from services.invoicing.tickets.api import router as tickets_router
from shared.events.invoicing import (
    CreditMemoIssued,
    InvoiceIssued,
    InvoiceVoided,
    TicketClosed,
    TicketHeld,
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
    routers=[
        accounts_router,
        tickets_router,
        rate_cards,
        tax_router,
        billing_router,
        invoices_router,
        credit_memos_router,
        journal_router,
    ],
    migrations=Path(__file__).parent / "migrations",
    handlers=account_events.HANDLERS | ticket_events.HANDLERS | payments.HANDLERS,
    publishes=[TicketClosed, TicketHeld, InvoiceIssued, InvoiceVoided, CreditMemoIssued],
    background=[deliver_issued_invoices],
)
