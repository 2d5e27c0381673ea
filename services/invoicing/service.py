"""The invoicing service as the platform runs it: its routes, migrations and event handlers."""

from pathlib import Path

from shared.service import ServiceDefinition
from services.invoicing.api import router
from services.invoicing.events import HANDLERS
from services.invoicing.settings import InvoicingSettings

definition = ServiceDefinition(
    name="invoicing",
    title="Invoicing",
    description=(
        "Tickets, rentals, billing runs, invoices, credit memos and rebills. So far it keeps its "
        "own copy of each customer's billing facts (terms, billing profile, addresses, tax "
        "exemptions) from `CustomerRegistered` and `CustomerUpdated`, readable as billing accounts."
    ),
    settings_class=InvoicingSettings,
    routers=[router],
    migrations=Path(__file__).parent / "migrations",
    handlers=HANDLERS,
)
