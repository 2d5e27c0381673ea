"""The customers service as the platform runs it: its routes, migrations and event handlers."""

from pathlib import Path

from services.customers.api import ROUTERS
from services.customers.handlers import HANDLERS
from services.customers.settings import CustomersSettings
from shared.events.customers import CustomerRegistered, CustomerUpdated
from shared.service import ServiceDefinition

definition = ServiceDefinition(
    name="customers",
    title="Customers",
    description=(
        "The customer master: legal name, tax id, addresses, billing contacts, terms, billing "
        "profile, tax-exemption certificates and onboarding. Publishes `CustomerRegistered` and "
        "`CustomerUpdated` with the customer's full snapshot on `ar.customers.v1`."
    ),
    settings_class=CustomersSettings,
    routers=ROUTERS,
    migrations=Path(__file__).parent / "migrations",
    handlers=HANDLERS,
    publishes=[CustomerRegistered, CustomerUpdated],
)
