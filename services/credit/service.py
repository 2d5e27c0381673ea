"""The credit service as the platform runs it: its routes, migrations and event handlers."""

from pathlib import Path

from shared.service import ServiceDefinition
from services.credit.api import router
from services.credit.events import HANDLERS
from services.credit.settings import CreditSettings

definition = ServiceDefinition(
    name="credit",
    title="Credit",
    description=(
        "Who may owe how much: credit applications, trade references, bureau reports, scores, "
        "limits, terms, holds and exposure. So far it keeps its own copy of the customers it "
        "reviews (status, hold, currency, district, onboarding checklist), from "
        "`CustomerRegistered` and `CustomerUpdated` on `ar.customers.v1`, and serves it read-only."
    ),
    settings_class=CreditSettings,
    routers=[router],
    migrations=Path(__file__).parent / "migrations",
    handlers=HANDLERS,
)
