"""What payments publishes on `ar.payments.v1` and what it consumes: customer events (its copy of
each payer) and invoicing's events (its own view of open items, see open_items.py)."""

from typing import Any

from services.payments import open_items
from services.payments.models import Payer
from shared.events.catalog import EventPayload
from shared.events.customers import CustomerSnapshot
from shared.events.invoicing import CreditMemoIssued, InvoiceIssued, InvoiceVoided
from shared.events.payments import (
    DepositReceived,
    PaymentApplied,
    PaymentReceived,
    PaymentReversed,
    PaymentUnapplied,
    RefundIssued,
    WriteOffPosted,
)
from shared.inbox import EventHandler
from shared.replica import customer_copy_handlers

PUBLISHES: list[type[EventPayload]] = [
    PaymentReceived,
    PaymentApplied,
    PaymentUnapplied,
    PaymentReversed,
    RefundIssued,
    DepositReceived,
    WriteOffPosted,
]

# What cash application needs to recognise a payer: its account number and the names it pays under.
PAYER_FACTS = {"account_number", "legal_name", "dba", "status", "currency"}


def payer_facts(customer: CustomerSnapshot) -> dict[str, Any]:
    return customer.model_dump(mode="json", include=PAYER_FACTS)


HANDLERS: dict[type[EventPayload], EventHandler] = {
    **customer_copy_handlers(Payer, payer_facts),
    InvoiceIssued: open_items.on_invoice_issued,
    CreditMemoIssued: open_items.on_credit_memo_issued,
    InvoiceVoided: open_items.on_invoice_voided,
}
