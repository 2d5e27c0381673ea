"""Invoicing's events as its outbox would publish them, for payments' view of open items."""

import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from shared.bus import BusMessage, InProcessBus
from shared.events.catalog import EventPayload, dead_letter_topic, topic_for
from shared.events.customers import CustomerSnapshot, PaymentTerms
from shared.events.envelope import EventEnvelope
from shared.events.invoicing import CreditMemoIssued, InvoiceIssued, InvoiceLineFacts, InvoiceVoided
from shared.events.journal import JournalEntry, Posting

INVOICING_TOPIC = topic_for("invoicing")
ISSUED_ON = date(2026, 11, 2)


def _journal(
    document_id: uuid.UUID, amount: Decimal, source: str, *, credit_ar: bool = False
) -> JournalEntry:
    ar, revenue = Posting(account="1200", debit=amount), Posting(account="4000", credit=amount)
    if credit_ar:
        ar, revenue = Posting(account="1200", credit=amount), Posting(account="4000", debit=amount)
    return JournalEntry(
        entry_id=uuid.uuid4(),
        posted_on=ISSUED_ON,
        currency="USD",
        source=source,
        document_id=document_id,
        postings=[ar, revenue],
    )


def invoice(customer: CustomerSnapshot, number: str, total: str, **changes: Any) -> InvoiceIssued:
    """An issued invoice of one line; `changes` overrides any field (po_number,
    discount_amount...)."""
    amount = Decimal(total)
    invoice_id = uuid.uuid4()
    facts: dict[str, Any] = dict(
        invoice_id=invoice_id,
        number=number,
        customer_id=customer.id,
        currency=customer.currency,
        invoice_date=ISSUED_ON,
        due_date=ISSUED_ON + timedelta(days=30),
        terms=PaymentTerms(days=30),
        business_district="permian",
        lines=[
            InvoiceLineFacts(
                description="Vacuum truck",
                quantity=Decimal(1),
                unit="ea",
                unit_price=amount,
                amount=amount,
                taxability="labor",
                service_line="fluids",
                ticket_number=changes.pop("ticket_number", None),
            )
        ],
        subtotal=amount,
        tax_total=Decimal(0),
        total=amount,
        journal=_journal(invoice_id, amount, "invoice"),
    )
    return InvoiceIssued(**facts | changes)


def credit_memo(issued: InvoiceIssued, total: str) -> CreditMemoIssued:
    memo_id, amount = uuid.uuid4(), Decimal(total)
    return CreditMemoIssued(
        credit_memo_id=memo_id,
        number=f"CM-{issued.number}",
        customer_id=issued.customer_id,
        currency=issued.currency,
        issued_on=ISSUED_ON,
        invoice_id=issued.invoice_id,
        invoice_number=issued.number,
        reason_code="pricing",
        lines=[],
        subtotal=amount,
        tax_total=Decimal(0),
        total=amount,
        business_district="permian",
        journal=_journal(memo_id, amount, "credit_memo", credit_ar=True),
    )


def voided(issued: InvoiceIssued) -> InvoiceVoided:
    return InvoiceVoided(
        invoice_id=issued.invoice_id,
        number=issued.number,
        customer_id=issued.customer_id,
        currency=issued.currency,
        voided_on=ISSUED_ON,
        reason="sent to the wrong customer",
        total=issued.total,
        journal=_journal(issued.invoice_id, issued.total, "invoice_void", credit_ar=True),
    )


def envelope_of(payload: EventPayload, customer_id: uuid.UUID) -> EventEnvelope:
    return EventEnvelope.wrap(payload, customer_id=str(customer_id), aggregate_id=str(customer_id))


async def deliver_invoicing(
    bus: InProcessBus, *events: InvoiceIssued | CreditMemoIssued | InvoiceVoided
) -> None:
    """Publish as invoicing's relay would; returns once every consumer has handled them."""
    envelopes = [envelope_of(e, e.customer_id) for e in events]
    await bus.publish(
        [
            BusMessage(topic=INVOICING_TOPIC, key=e.customer_id, value=e.to_bytes())
            for e in envelopes
        ]
    )
    assert not bus.retained[dead_letter_topic(INVOICING_TOPIC)], (
        "an invoicing event was dead-lettered"
    )
