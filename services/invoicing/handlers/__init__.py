"""The events invoicing consumes: customers' billing facts, the sales system's closed tickets,
and payments' applications to its invoices (each in the one transaction the inbox opens)."""

from services.invoicing.handlers import customers, payments, tickets
from shared.events.catalog import EventPayload
from shared.inbox import EventHandler

HANDLERS: dict[type[EventPayload], EventHandler] = (
    customers.HANDLERS | tickets.HANDLERS | payments.HANDLERS
)
