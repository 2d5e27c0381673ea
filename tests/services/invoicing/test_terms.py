"""Due dates and early-payment discounts from the customer's payment terms."""

from datetime import date
from decimal import Decimal

import pytest

from services.invoicing.domain.invoices import InvoiceRuleBroken
from services.invoicing.domain.terms import due_date, early_payment_discount, end_of_month
from shared.events.customers import PaymentTerms, TermsKind


@pytest.mark.parametrize(
    ("terms", "invoice_date", "due"),
    [
        (PaymentTerms(kind=TermsKind.NET, days=30), date(2026, 11, 30), date(2026, 12, 30)),
        (PaymentTerms(kind=TermsKind.NET, days=0), date(2026, 11, 30), date(2026, 11, 30)),
        (PaymentTerms(kind=TermsKind.DUE_ON_RECEIPT, days=0), date(2026, 2, 3), date(2026, 2, 3)),
        (PaymentTerms(kind=TermsKind.END_OF_MONTH, days=10), date(2026, 2, 3), date(2026, 3, 10)),
        (PaymentTerms(kind=TermsKind.END_OF_MONTH, days=0), date(2028, 2, 3), date(2028, 2, 29)),
        (PaymentTerms(kind=TermsKind.END_OF_MONTH, days=30), date(2026, 12, 31), date(2027, 1, 30)),
    ],
    ids=[
        "net-30",
        "net-0",
        "due-on-receipt",
        "eom-10",
        "eom-leap-february",
        "eom-30-over-year-end",
    ],
)
def test_due_date_follows_the_terms(terms: PaymentTerms, invoice_date: date, due: date) -> None:
    assert due_date(terms, invoice_date) == due


def test_two_ten_net_thirty_offers_two_percent_for_ten_days() -> None:
    terms = PaymentTerms(days=30, discount_percent=Decimal(2), discount_days=10)
    assert early_payment_discount(terms, date(2026, 11, 30), Decimal("345.70"), "USD") == (
        date(2026, 12, 10),
        Decimal("6.91"),  # 6.914
    )


def test_discount_amount_rounds_half_up_to_the_currency() -> None:
    terms = PaymentTerms(days=30, discount_percent=Decimal("1.5"), discount_days=10)
    assert early_payment_discount(terms, date(2026, 1, 1), Decimal("1.00"), "USD")[1] == Decimal(
        "0.02"
    )
    assert early_payment_discount(terms, date(2026, 1, 1), Decimal("1000"), "JPY")[1] == Decimal(
        "15"
    )


def test_terms_without_discount_offer_none() -> None:
    assert early_payment_discount(PaymentTerms(days=30), date(2026, 1, 1), Decimal(100), "USD") == (
        None,
        None,
    )


def test_end_of_month_of_december() -> None:
    assert end_of_month(date(2026, 12, 5)) == date(2026, 12, 31)


@pytest.mark.parametrize(
    "terms",
    [
        PaymentTerms(kind=TermsKind.NET, days=30),
        PaymentTerms(kind=TermsKind.END_OF_MONTH, days=10),
    ],
)
def test_a_due_date_past_the_calendar_is_a_broken_rule_not_a_crash(terms: PaymentTerms) -> None:
    with pytest.raises(InvoiceRuleBroken, match="past the last date"):
        due_date(terms, date(9999, 12, 31))
    discount = PaymentTerms(kind=TermsKind.NET, days=0, discount_percent=2, discount_days=10)
    with pytest.raises(InvoiceRuleBroken, match="past the last date"):
        early_payment_discount(discount, date(9999, 12, 31), Decimal(100), "USD")
