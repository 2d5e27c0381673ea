"""The credit service as the platform runs it: its routes, migrations and event handlers."""

from pathlib import Path

from services.credit.api import ROUTERS
from services.credit.handlers import HANDLERS
from services.credit.jobs import sweep_holds
from services.credit.publishing import PUBLISHES
from services.credit.settings import CreditSettings
from shared.service import ServiceDefinition

definition = ServiceDefinition(
    name="credit",
    title="Credit",
    description=(
        "Who may owe how much: credit applications and their approval by authority, trade "
        "reference calls, bureau reports, an explainable score, limits and terms with review "
        "dates, live exposure from invoicing and payments events, automatic and manual holds, "
        "and the authorization answer the sales system asks for before an order. Publishes "
        "`CreditLimitChanged`, `CreditHoldPlaced`, `CreditHoldReleased` and "
        "`CreditApplicationApproved` on `ar.credit.v1`."
    ),
    settings_class=CreditSettings,
    routers=ROUTERS,
    migrations=Path(__file__).parent / "migrations",
    handlers=HANDLERS,
    publishes=PUBLISHES,
    background=[sweep_holds],
)
