"""Random but well-formed histories of one customer's receivables, for property-based tests."""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import strategies as st

from shared.events.catalog import EventPayload
from shared.events.invoicing import InvoiceIssued, InvoiceVoided
from shared.events.payments import (
    CreditMemoApplied,
    PaymentApplied,
    PaymentUnapplied,
    WriteOffPosted,
)
from tests.services.collections.books import AR, Books

START = date(2026, 1, 1)
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000"), places=2)
days = st.integers(min_value=0, max_value=150)
OPERATIONS = [
    "pay",
    "pay_with_discount",
    "credit",
    "write_off",
    "returned_payment",
    "deposit",
    "on_account_credit",
    "refund",
    "void",
]


@st.composite
def histories(draw: st.DrawFn) -> list[EventPayload]:
    books = Books()
    invoices = [
        books.invoice(
            draw(amounts),
            START + timedelta(days=draw(days)),
            terms_days=draw(st.sampled_from([0, 15, 30, 45])),
        )
        for _ in range(draw(st.integers(min_value=1, max_value=5)))
    ]
    events: list[EventPayload] = list(invoices)
    for _ in range(draw(st.integers(min_value=0, max_value=8))):
        kind, invoice = draw(st.sampled_from(OPERATIONS)), draw(st.sampled_from(invoices))
        amount, on = draw(amounts), invoice.invoice_date + timedelta(days=draw(days))
        if kind in ("pay", "pay_with_discount", "returned_payment"):
            payment = books.payment(amount, on)
            discount = amount / 50 if kind == "pay_with_discount" else Decimal(0)
            applied = books.apply(payment, invoice, amount, on, discount.quantize(Decimal("0.01")))
            events += [payment, applied]
            if kind == "returned_payment":
                later = on + timedelta(days=draw(st.integers(0, 20)))
                events += [books.unapply(applied, later), books.reverse(payment, later)]
        elif kind == "deposit":
            deposit = books.deposit(amount, on)
            events += [deposit, books.apply(deposit, invoice, amount, on)]
        elif kind == "credit":
            memo = books.credit_memo(amount, on, invoice)
            events += [memo, books.credit_memo_applied(memo, invoice)]
        elif kind == "on_account_credit":
            events.append(books.credit_memo(amount, on))
        elif kind == "refund":
            payment = books.payment(amount, on)
            events += [payment, books.refund(amount, on, payment)]
        elif kind == "void":
            events.append(books.void(invoice, on))
        else:
            events.append(books.write_off(invoice, amount, on))
    return events


def open_ar_by_formula(events: list[EventPayload], as_of: date) -> Decimal:
    """invoices − credits − applications − write-offs + reversals, dated on or before `as_of`
    (voids take the whole invoice back; discounts go with their applications)."""
    total = Decimal(0)
    for e in events:
        if isinstance(e, InvoiceIssued) and e.invoice_date <= as_of:
            total += e.total
        elif isinstance(e, InvoiceVoided) and e.voided_on <= as_of:
            total -= e.total
        elif isinstance(e, CreditMemoApplied) and e.applied_on <= as_of:
            total -= e.amount
        elif isinstance(e, PaymentApplied) and e.applied_on <= as_of:
            total -= e.amount + e.discount
        elif isinstance(e, WriteOffPosted) and e.posted_on <= as_of:
            total -= e.amount
        elif isinstance(e, PaymentUnapplied) and e.unapplied_on <= as_of:
            total += e.amount + e.discount
    return total


def ar_control_postings(events: list[EventPayload], as_of: date) -> Decimal:
    """Debits less credits on the AR control account, posted on or before `as_of`."""
    return sum(
        (
            p.debit - p.credit
            for e in events
            if (journal := getattr(e, "journal", None)) and journal.posted_on <= as_of
            for p in journal.postings
            if p.account == AR
        ),
        Decimal(0),
    )
