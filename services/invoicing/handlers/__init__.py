"""The events invoicing consumes: customers' billing facts, the sales system's closed tickets,
rentals on and off rent and asset moves, payments' applications to its invoices and
collections' closed months (each in the one transaction the inbox opens)."""

from services.invoicing.handlers import customers, payments, rentals, tickets
from shared.events.catalog import EventPayload
from shared.inbox import EventHandler
from shared.periods import PERIOD_HANDLERS

HANDLERS: dict[type[EventPayload], EventHandler] = (
    customers.HANDLERS | tickets.HANDLERS | rentals.HANDLERS | payments.HANDLERS | PERIOD_HANDLERS
)
