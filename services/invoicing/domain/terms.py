"""Payment terms in plain Python: the due date and the early-payment discount of an invoice."""

import calendar
from datetime import date, timedelta
from decimal import Decimal

from services.invoicing.domain.invoices import InvoiceRuleBroken
from shared.events.customers import PaymentTerms, TermsKind
from shared.money import round_money


def end_of_month(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _days_after(day: date, days: int) -> date:
    try:
        return day + timedelta(days=days)
    except OverflowError:
        raise InvoiceRuleBroken(
            f"{days} days after {day.isoformat()} is past the last date there is"
        ) from None


def due_date(terms: PaymentTerms, invoice_date: date) -> date:
    """Net N: N days after the invoice date; due on receipt: the invoice date; end of month + N:
    N days after the last day of the invoice's month."""
    if terms.kind == TermsKind.DUE_ON_RECEIPT:
        return invoice_date
    if terms.kind == TermsKind.END_OF_MONTH:
        return _days_after(end_of_month(invoice_date), terms.days)
    return _days_after(invoice_date, terms.days)


def early_payment_discount(
    terms: PaymentTerms, invoice_date: date, total: Decimal, currency: str
) -> tuple[date | None, Decimal | None]:
    """The last day to take the discount and its amount ("2/10 net 30": 2 % of the total if paid
    within 10 days of the invoice date); (None, None) without one."""
    if terms.discount_percent is None or terms.discount_days is None or total <= 0:
        return None, None
    # The amount offered must be payable: it is rounded like a tax amount, to the minor unit.
    amount = round_money(total * terms.discount_percent / 100, currency)
    return _days_after(invoice_date, terms.discount_days), amount
