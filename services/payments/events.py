"""What payments consumes: customer events, kept as its own copy of each payer.

It publishes nothing yet; payments, cash application and refunds (and their events) come with
those features, as do the invoice and credit memo events it will consume for open items.
"""

from typing import Any

from shared.events.customers import CustomerSnapshot
from shared.replica import customer_copy_handlers
from services.payments.models import Payer

# What cash application needs to recognise a payer: its account number and the names it pays under.
PAYER_FACTS = {"account_number", "legal_name", "dba", "status", "currency"}


def payer_facts(customer: CustomerSnapshot) -> dict[str, Any]:
    return customer.model_dump(mode="json", include=PAYER_FACTS)


HANDLERS = customer_copy_handlers(Payer, payer_facts)
