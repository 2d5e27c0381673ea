"""Financial events as invoicing and payments publish them, with balanced journal entries on the
default accounts of docs/domain.md#journal, for feeding collections in tests."""

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from shared.bus import Bus
from shared.clock import Clock
from shared.events.catalog import EventPayload
from shared.events.customers import Contact, CustomerRegistered, PaymentTerms
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
    CreditMemoApplied,
    DepositReceived,
    PaymentApplied,
    PaymentReceived,
    PaymentReversed,
    PaymentUnapplied,
    RefundIssued,
    WriteOffPosted,
)
from tests.services.customer_events import customer
from tests.support import event_message

AR, REVENUE, CASH, UNAPPLIED, DEPOSITS, BAD_DEBT, DISCOUNTS, CONVERSION = (
    "1200",
    "4000",
    "1000",
    "2100",
    "2200",
    "6500",
    "4900",
    "3900",
)


def journal(
    source: str,
    document_id: uuid.UUID,
    on: date,
    amount: Decimal,
    debit: str,
    credit: str,
    currency: str = "USD",
) -> JournalEntry:
    return JournalEntry(
        entry_id=uuid.uuid4(),
        posted_on=on,
        currency=currency,
        source=source,
        document_id=document_id,
        postings=[Posting(account=debit, debit=amount), Posting(account=credit, credit=amount)],
    )


async def publish(bus: Bus, *events: EventPayload) -> None:
    """As the producers' relays would: in order, keyed by customer."""
    await bus.publish([event_message(event) for event in events])


@dataclass
class Books:
    """Makes the events of one set of books; each method returns the event it made."""

    customer_id: uuid.UUID = field(default_factory=uuid.uuid4)
    district: str = "permian"
    sales_rep: str = "rep-jones"
    currency: str = "USD"
    _count: int = 0

    def _number(self, prefix: str) -> str:
        self._count += 1
        return f"{prefix}-{self._count:06d}"

    def invoice(
        self,
        total: str | Decimal,
        on: date,
        *,
        terms_days: int = 30,
        tickets: list[uuid.UUID] | None = None,
        **dims: Any,
    ) -> InvoiceIssued:
        amount, invoice_id = Decimal(total), uuid.uuid4()
        return InvoiceIssued(
            invoice_id=invoice_id,
            number=self._number("INV"),
            customer_id=self.customer_id,
            currency=self.currency,
            invoice_date=on,
            due_date=on + timedelta(days=terms_days),
            terms=PaymentTerms(days=terms_days),
            business_district=dims.get("district", self.district),
            sales_rep=dims.get("sales_rep", self.sales_rep),
            ticket_ids=tickets or [],
            lines=[
                InvoiceLineFacts(
                    description="Vacuum truck",
                    quantity=Decimal(1),
                    unit="job",
                    unit_price=amount,
                    amount=amount,
                    taxability="labor",
                    service_line="vacuum",
                )
            ],
            subtotal=amount,
            tax_total=Decimal(0),
            total=amount,
            journal=journal("invoice", invoice_id, on, amount, AR, REVENUE, self.currency),
        )

    def imported(
        self, total: str | Decimal, open_balance: str | Decimal, on: date
    ) -> InvoiceIssued:
        """A legacy invoice imported at go-live owing `open_balance`, with its opening entry
        against the conversion account."""
        invoice, owed = self.invoice(total, on), Decimal(open_balance)
        opening = journal("opening_balance", invoice.invoice_id, on, owed, AR, CONVERSION)
        return invoice.model_copy(
            update={"imported": True, "open_balance": owed, "journal": opening}
        )

    def void(self, invoice: InvoiceIssued, on: date) -> InvoiceVoided:
        return InvoiceVoided(
            invoice_id=invoice.invoice_id,
            number=invoice.number,
            customer_id=self.customer_id,
            currency=self.currency,
            voided_on=on,
            reason="entered twice",
            total=invoice.total,
            ticket_ids=invoice.ticket_ids,
            journal=journal(
                "invoice_void", invoice.invoice_id, on, invoice.total, REVENUE, AR, self.currency
            ),
        )

    def credit_memo(
        self, amount: str | Decimal, on: date, invoice: InvoiceIssued | None = None
    ) -> CreditMemoIssued:
        value, memo_id = Decimal(amount), uuid.uuid4()
        return CreditMemoIssued(
            credit_memo_id=memo_id,
            number=self._number("CM"),
            customer_id=self.customer_id,
            currency=self.currency,
            issued_on=on,
            invoice_id=invoice.invoice_id if invoice else None,
            invoice_number=invoice.number if invoice else None,
            reason_code="price",
            lines=[
                InvoiceLineFacts(
                    description="Price correction",
                    quantity=Decimal(1),
                    unit="ea",
                    unit_price=value,
                    amount=value,
                    taxability="labor",
                    service_line="vacuum",
                )
            ],
            subtotal=value,
            tax_total=Decimal(0),
            total=value,
            business_district=self.district,
            sales_rep=self.sales_rep,
            journal=journal("credit_memo", memo_id, on, value, REVENUE, AR, self.currency),
        )

    def credit_memo_applied(
        self, memo: CreditMemoIssued, invoice: InvoiceIssued, amount: str | Decimal | None = None
    ) -> CreditMemoApplied:
        """What payments answers a memo with: `amount` of it (all by default) off the invoice."""
        value = memo.total if amount is None else Decimal(amount)
        return CreditMemoApplied(
            credit_memo_id=memo.credit_memo_id,
            credit_memo_number=memo.number,
            customer_id=self.customer_id,
            invoice_id=invoice.invoice_id,
            invoice_number=invoice.number,
            currency=self.currency,
            amount=value,
            on_account=memo.total - value,
            applied_on=memo.issued_on,
        )

    def payment(self, amount: str | Decimal, on: date) -> PaymentReceived:
        value, payment_id = Decimal(amount), uuid.uuid4()
        return PaymentReceived(
            payment_id=payment_id,
            customer_id=self.customer_id,
            method="check",
            amount=value,
            currency=self.currency,
            received_on=on,
            reference=self._number("CHK"),
            journal=journal("payment", payment_id, on, value, CASH, UNAPPLIED, self.currency),
        )

    def deposit(self, amount: str | Decimal, on: date) -> DepositReceived:
        value, deposit_id = Decimal(amount), uuid.uuid4()
        return DepositReceived(
            deposit_id=deposit_id,
            customer_id=self.customer_id,
            amount=value,
            currency=self.currency,
            received_on=on,
            journal=journal("deposit", deposit_id, on, value, CASH, DEPOSITS, self.currency),
        )

    def apply(
        self,
        source: PaymentReceived | DepositReceived,
        invoice: InvoiceIssued,
        amount: str | Decimal,
        on: date,
        discount: str | Decimal = "0",
    ) -> PaymentApplied:
        value, taken, application_id = Decimal(amount), Decimal(discount), uuid.uuid4()
        from_account = DEPOSITS if isinstance(source, DepositReceived) else UNAPPLIED
        entry = journal("application", application_id, on, value, from_account, AR, self.currency)
        if taken:
            entry = JournalEntry(
                **entry.model_dump(exclude={"postings"}),
                postings=[
                    Posting(account=from_account, debit=value),
                    Posting(account=DISCOUNTS, debit=taken),
                    Posting(account=AR, credit=value + taken),
                ],
            )
        return PaymentApplied(
            application_id=application_id,
            customer_id=self.customer_id,
            payment_id=source.payment_id if isinstance(source, PaymentReceived) else None,
            deposit_id=source.deposit_id if isinstance(source, DepositReceived) else None,
            invoice_id=invoice.invoice_id,
            invoice_number=invoice.number,
            currency=self.currency,
            amount=value,
            discount=taken,
            applied_on=on,
            journal=entry,
        )

    def unapply(self, application: PaymentApplied, on: date) -> PaymentUnapplied:
        back = application.amount + application.discount
        postings = [
            Posting(account=AR, debit=back),
            Posting(account=UNAPPLIED, credit=application.amount),
        ]
        if application.discount:
            postings.append(Posting(account=DISCOUNTS, credit=application.discount))
        return PaymentUnapplied(
            application_id=application.application_id,
            payment_id=application.payment_id,
            deposit_id=application.deposit_id,
            customer_id=self.customer_id,
            invoice_id=application.invoice_id,
            invoice_number=application.invoice_number,
            currency=self.currency,
            amount=application.amount,
            discount=application.discount,
            unapplied_on=on,
            reason="payment returned",
            journal=JournalEntry(
                entry_id=uuid.uuid4(),
                posted_on=on,
                currency=self.currency,
                source="unapplication",
                document_id=application.application_id,
                postings=postings,
            ),
        )

    def reverse(self, payment: PaymentReceived, on: date) -> PaymentReversed:
        return PaymentReversed(
            payment_id=payment.payment_id,
            customer_id=self.customer_id,
            amount=payment.amount,
            currency=self.currency,
            reversed_on=on,
            reason="NSF",
            journal=journal(
                "payment_reversal",
                payment.payment_id,
                on,
                payment.amount,
                UNAPPLIED,
                CASH,
                self.currency,
            ),
        )

    def refund(
        self, amount: str | Decimal, on: date, payment: PaymentReceived | None = None
    ) -> RefundIssued:
        value, refund_id = Decimal(amount), uuid.uuid4()
        return RefundIssued(
            refund_id=refund_id,
            payment_id=payment.payment_id if payment else None,
            customer_id=self.customer_id,
            amount=value,
            currency=self.currency,
            issued_on=on,
            approved_by="supervisor",
            journal=journal("refund", refund_id, on, value, UNAPPLIED, CASH, self.currency),
        )

    def write_off(self, invoice: InvoiceIssued, amount: str | Decimal, on: date) -> WriteOffPosted:
        value, write_off_id = Decimal(amount), uuid.uuid4()
        return WriteOffPosted(
            write_off_id=write_off_id,
            customer_id=self.customer_id,
            invoice_id=invoice.invoice_id,
            invoice_number=invoice.number,
            currency=self.currency,
            amount=value,
            posted_on=on,
            reason="bad debt",
            approved_by="supervisor",
            journal=journal("write_off", write_off_id, on, value, BAD_DEBT, AR, self.currency),
        )

    def ticket(self, amount: str | Decimal, closed_on: date) -> TicketClosed:
        value = Decimal(amount)
        return TicketClosed(
            ticket_id=uuid.uuid4(),
            source_system="sales",
            ticket_number=self._number("T"),
            customer_id=self.customer_id,
            currency=self.currency,
            business_district=self.district,
            sales_rep=self.sales_rep,
            closed_at=datetime.combine(closed_on, time(17), tzinfo=UTC),
            lines=[
                TicketLineFacts(
                    kind="labor",
                    description="Crew",
                    quantity=Decimal(8),
                    unit="h",
                    unit_price=value / 8,
                    amount=value,
                    taxability="labor",
                    service_line="vacuum",
                )
            ],
            amount=value,
        )


def overdue_customer(
    name: str, *overdue: tuple[int, str], today: date | None = None
) -> tuple[Books, list[EventPayload]]:
    """A registered customer `name` (its account number, with an AP contact) and one invoice per
    (days past due, amount) on Net 30, as of `today`."""
    today = today or Clock().today()
    books = Books()
    contact = Contact(
        id=uuid.uuid4(),
        name=f"{name} AP",
        email=f"ap@{name.lower()}.example",
        receives_invoices=True,
    )
    registered = CustomerRegistered(
        customer=customer(
            id=books.customer_id,
            account_number=name,
            legal_name=f"{name} Oilfield",
            contacts=[contact],
        )
    )
    invoices = [
        books.invoice(amount, today - timedelta(days=days + 30)) for days, amount in overdue
    ]
    return books, [registered, *invoices]
