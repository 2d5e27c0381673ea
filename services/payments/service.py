"""The payments service as the platform runs it: its routes, migrations and event handlers."""

from pathlib import Path

from shared.service import ServiceDefinition
from services.payments.api import router
from services.payments.events import HANDLERS
from services.payments.settings import PaymentsSettings

definition = ServiceDefinition(
    name="payments",
    title="Payments",
    description=(
        "Payments, bank and lockbox files, cash application, unapplied cash, deposits, refunds "
        "and reversals. So far it keeps its own copy of each customer's account number and names "
        "from `CustomerRegistered` and `CustomerUpdated`, readable as payers."
    ),
    settings_class=PaymentsSettings,
    routers=[router],
    migrations=Path(__file__).parent / "migrations",
    handlers=HANDLERS,
)
