"""Invoicing and payments events as their producers publish them (balanced journals included),
for feeding credit in tests."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from shared.bus import Bus
from shared.events.catalog import EventPayload
from shared.events.collections import PromiseToPayRecorded
from shared.events.customers import PaymentTerms
from shared.events.invoicing import (
    CreditMemoIssued,
    InvoiceIssued,
    InvoiceLineFacts,
    InvoiceVoided,
    TicketClosed,
    TicketLineFacts,
)
from shared.events.journal import JournalEntry, Posting
from shared.events.payments import (
    PaymentApplied,
    PaymentReceived,
    PaymentReversed,
    PaymentUnapplied,
)
from tests.support import event_message

AR, REVENUE, CASH, UNAPPLIED = "1200", "4000", "1000", "2100"


def journal(
    source: str, document_id: uuid.UUID, on: date, amount: Decimal, debit: str, credit: str
) -> JournalEntry:
    return JournalEntry(
        entry_id=uuid.uuid4(),
        posted_on=on,
        currency="USD",
        source=source,
        document_id=document_id,
        postings=[Posting(account=debit, debit=amount), Posting(account=credit, credit=amount)],
    )


async def publish(bus: Bus, *events: EventPayload) -> None:
    """As the producers' relays would: in order, keyed by customer."""
    await bus.publish([event_message(event) for event in events])


def _line(amount: Decimal) -> InvoiceLineFacts:
    return InvoiceLineFacts(
        description="Vacuum truck",
        quantity=Decimal(1),
        unit="job",
        unit_price=amount,
        amount=amount,
        taxability="labor",
        service_line="vacuum",
    )


@dataclass
class Books:
    """The events of one customer's books; each method returns the event it made."""

    customer_id: uuid.UUID
    count: int = field(default=0)

    def _number(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}-{self.count:06d}"

    def ticket(self, amount: str, *, number: str | None = None) -> TicketClosed:
        value = Decimal(amount)
        return TicketClosed(
            ticket_id=uuid.uuid4(),
            source_system="sales",
            ticket_number=number or self._number("T"),
            customer_id=self.customer_id,
            currency="USD",
            business_district="permian",
            closed_at=datetime(2026, 11, 1, 12, tzinfo=UTC),
            amount=value,
            lines=[
                TicketLineFacts(
                    kind="labor",
                    description="Vacuum truck",
                    quantity=Decimal(1),
                    unit="job",
                    unit_price=value,
                    amount=value,
                    taxability="labor",
                    service_line="vacuum",
                )
            ],
        )

    def invoice(
        self, total: str, on: date, *, terms_days: int = 30, tickets: Sequence[TicketClosed] = ()
    ) -> InvoiceIssued:
        amount, invoice_id = Decimal(total), uuid.uuid4()
        return InvoiceIssued(
            invoice_id=invoice_id,
            number=self._number("INV"),
            customer_id=self.customer_id,
            currency="USD",
            invoice_date=on,
            due_date=on + timedelta(days=terms_days),
            terms=PaymentTerms(days=terms_days),
            business_district="permian",
            ticket_ids=[t.ticket_id for t in tickets],
            lines=[_line(amount)],
            subtotal=amount,
            tax_total=Decimal(0),
            total=amount,
            journal=journal("invoice", invoice_id, on, amount, AR, REVENUE),
        )

    def void(self, invoice: InvoiceIssued, on: date) -> InvoiceVoided:
        return InvoiceVoided(
            invoice_id=invoice.invoice_id,
            number=invoice.number,
            customer_id=self.customer_id,
            currency="USD",
            voided_on=on,
            reason="wrong customer",
            total=invoice.total,
            ticket_ids=invoice.ticket_ids,
            journal=journal("void", invoice.invoice_id, on, invoice.total, REVENUE, AR),
        )

    def credit_memo(self, invoice: InvoiceIssued, amount: str, on: date) -> CreditMemoIssued:
        value, memo_id = Decimal(amount), uuid.uuid4()
        return CreditMemoIssued(
            credit_memo_id=memo_id,
            number=self._number("CM"),
            customer_id=self.customer_id,
            currency="USD",
            issued_on=on,
            invoice_id=invoice.invoice_id,
            invoice_number=invoice.number,
            reason_code="pricing",
            lines=[_line(value)],
            subtotal=value,
            tax_total=Decimal(0),
            total=value,
            business_district="permian",
            journal=journal("credit_memo", memo_id, on, value, REVENUE, AR),
        )

    def payment(self, amount: str, on: date) -> PaymentReceived:
        value, payment_id = Decimal(amount), uuid.uuid4()
        return PaymentReceived(
            payment_id=payment_id,
            customer_id=self.customer_id,
            method="check",
            amount=value,
            currency="USD",
            received_on=on,
            reference=self._number("CHK"),
            journal=journal("payment", payment_id, on, value, CASH, UNAPPLIED),
        )

    def apply(
        self, payment: PaymentReceived, invoice: InvoiceIssued, amount: str, on: date
    ) -> PaymentApplied:
        value, application_id = Decimal(amount), uuid.uuid4()
        return PaymentApplied(
            application_id=application_id,
            payment_id=payment.payment_id,
            customer_id=self.customer_id,
            invoice_id=invoice.invoice_id,
            invoice_number=invoice.number,
            currency="USD",
            amount=value,
            applied_on=on,
            journal=journal("application", application_id, on, value, UNAPPLIED, AR),
        )

    def pay(self, invoice: InvoiceIssued, amount: str, on: date) -> list[EventPayload]:
        """A check received and applied to the invoice the same day."""
        payment = self.payment(amount, on)
        return [payment, self.apply(payment, invoice, amount, on)]

    def unapply(self, applied: PaymentApplied, on: date) -> PaymentUnapplied:
        return PaymentUnapplied(
            application_id=applied.application_id,
            payment_id=applied.payment_id,
            customer_id=self.customer_id,
            invoice_id=applied.invoice_id,
            invoice_number=applied.invoice_number,
            currency="USD",
            amount=applied.amount,
            unapplied_on=on,
            reason="NSF",
            journal=journal(
                "unapplication", applied.application_id, on, applied.amount, AR, UNAPPLIED
            ),
        )

    def reverse(self, payment: PaymentReceived, on: date) -> PaymentReversed:
        return PaymentReversed(
            payment_id=payment.payment_id,
            customer_id=self.customer_id,
            amount=payment.amount,
            currency="USD",
            reversed_on=on,
            reason="NSF",
            journal=journal("reversal", payment.payment_id, on, payment.amount, UNAPPLIED, CASH),
        )

    def promise(self, amount: str, recorded_on: date, promised_on: date) -> PromiseToPayRecorded:
        return PromiseToPayRecorded(
            promise_id=uuid.uuid4(),
            customer_id=self.customer_id,
            currency="USD",
            amount=Decimal(amount),
            promised_on=promised_on,
            recorded_on=recorded_on,
        )
