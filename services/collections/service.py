"""The collections service as the platform runs it: its routes, migrations and event handlers."""

from pathlib import Path

from shared.service import ServiceDefinition
from services.collections.api import ROUTERS
from services.collections.events import HANDLERS, PUBLISHED
from services.collections.settings import CollectionsSettings

definition = ServiceDefinition(
    name="collections",
    title="Collections",
    description=(
        "The receivables ledger built from events: open items, aging, DSO, worklist, "
        "activities, promises, disputes, dunning and statements. So far it keeps its own copy of "
        "the customers it collects from (terms, currency, district, sales rep, contacts), from "
        "`CustomerRegistered` and `CustomerUpdated` on `ar.customers.v1`, and serves it read-only."
    ),
    settings_class=CollectionsSettings,
    routers=ROUTERS,
    migrations=Path(__file__).parent / "migrations",
    handlers=HANDLERS,
    publishes=PUBLISHED,
)
