"""Which accounts each payments document debits and credits, on the platform's chart.

payment: Dr cash / Cr unapplied cash · application: Dr unapplied cash (+ Dr discounts allowed) /
Cr AR control · deposit: Dr cash / Cr customer deposits · deposit applied: Dr customer deposits /
Cr AR control · refund: Dr unapplied cash / Cr cash · write-off: Dr bad debt / Cr AR control · a
reversal or an unapplication posts the exact reverse of what it undoes.
"""

import uuid
from datetime import date
from decimal import Decimal

from shared.events.journal import JournalEntry
from shared.journal import ChartOfAccounts, JournalBuilder


def reversed_entry(
    original: JournalEntry, *, source: str, posted_on: date, memo: str
) -> JournalEntry:
    """The mirror of `original`: every debit becomes a credit and the other way round."""
    builder = JournalBuilder(
        source=source,
        document_id=original.document_id,
        posted_on=posted_on,
        currency=original.currency,
    )
    for p in original.postings:
        builder.post(p.account, p.credit - p.debit, memo=memo)
    return builder.build()


# Documents posting one amount from one account to another: (debit account, credit account).
SIMPLE_POSTINGS = {
    "payment": ("cash", "unapplied_cash"),
    "deposit": ("cash", "customer_deposits"),
    "refund": ("unapplied_cash", "cash"),
    "write_off": ("bad_debt", "ar_control"),
}


def posted(
    chart: ChartOfAccounts,
    source: str,
    document_id: uuid.UUID,
    on: date,
    currency: str,
    amount: Decimal,
    *,
    bank_account: str | None = None,
) -> JournalEntry:
    """The entry of a payment, deposit, refund or write-off (see SIMPLE_POSTINGS). Cash posts to
    the cash account of the bank account the money reached, when known, naming it in the memo."""

    def side(name: str) -> tuple[str, dict[str, str | None]]:
        if name == "cash":
            memo = f"bank account {bank_account}" if bank_account else None
            return chart.cash_for(bank_account), {"memo": memo}
        return getattr(chart, name), {}

    (debit, debit_dimensions), (credit, credit_dimensions) = map(side, SIMPLE_POSTINGS[source])
    return (
        JournalBuilder(source=source, document_id=document_id, posted_on=on, currency=currency)
        .debit(debit, amount, **debit_dimensions)
        .credit(credit, amount, **credit_dimensions)
        .build()
    )


def applied(
    chart: ChartOfAccounts,
    application_id: uuid.UUID,
    on: date,
    currency: str,
    amount: Decimal,
    discount: Decimal,
    *,
    from_deposit: bool,
) -> JournalEntry:
    """Cash (or a deposit) and any discount taken, off the invoice's receivable."""
    source_account = chart.customer_deposits if from_deposit else chart.unapplied_cash
    # post(): a zero amount (a discount-only settlement, no discount) is a line left out.
    return (
        JournalBuilder(
            source="application", document_id=application_id, posted_on=on, currency=currency
        )
        .post(source_account, amount)
        .post(chart.discounts_allowed, discount)
        .post(chart.ar_control, -(amount + discount))
        .build()
    )
