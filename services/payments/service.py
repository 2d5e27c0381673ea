"""The payments service as the platform runs it: its routes, migrations and event handlers."""

from pathlib import Path

from services.payments.api import ROUTERS
from services.payments.handlers import HANDLERS
from services.payments.jobs import sweep_mailbox
from services.payments.publishing import PUBLISHES
from services.payments.settings import PaymentsSettings
from shared.service import ServiceDefinition

definition = ServiceDefinition(
    name="payments",
    title="Payments",
    description=(
        "Payments, bank and lockbox files (BAI2, camt.053/054, NACHA CCD+/CTX, CSV lockbox), cash "
        "application with explained confidence and a review queue, unapplied cash, deposits, "
        "refunds, small-balance write-offs and reversals; remittance advices sent apart from the "
        "money (emails with PDF, XLSX or CSV, X12 820). Keeps its own view of open invoices from "
        "invoicing's events and of payers from customer events."
    ),
    settings_class=PaymentsSettings,
    routers=ROUTERS,
    migrations=Path(__file__).parent / "migrations",
    handlers=HANDLERS,
    publishes=PUBLISHES,
    background=[sweep_mailbox],
)
