"""The collections service as the platform runs it: its routes, migrations and event handlers."""

from pathlib import Path

from services.collections.api import ROUTERS
from services.collections.handlers import HANDLERS
from services.collections.handlers.projection import prepare_projection
from services.collections.publishing import PUBLISHED
from services.collections.settings import CollectionsSettings
from shared.service import ServiceDefinition

definition = ServiceDefinition(
    name="collections",
    title="Collections",
    description=(
        "The receivables ledger built from events: open items with their dated history, aging "
        "as of any date, DSO and CEI, the tie-out to the AR control account, the collector's "
        "worklist, activities, promises to pay, disputes, dunning letters, statements, the "
        "management report over 60 days, the unbilled monitor and period close."
    ),
    settings_class=CollectionsSettings,
    routers=ROUTERS,
    migrations=Path(__file__).parent / "migrations",
    handlers=HANDLERS,
    prepare_batch=prepare_projection,
    # Every ledger effect is one customer's (items, parked entries, tickets, promises); the
    # shared totals are added to, never overwritten.
    parallel_partitions=6,
    publishes=PUBLISHED,
)
