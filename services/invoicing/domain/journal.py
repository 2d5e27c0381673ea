"""Journal entries in plain Python: every invoicing document as balanced postings to the
chart of accounts (invoice: Dr AR / Cr revenue by service line / Cr sales tax by jurisdiction;
a credit memo or void: the same, reversed; an imported legacy invoice: Dr AR / Cr conversion
for what it still owes)."""

import uuid
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from shared.events.invoicing import InvoiceLineFacts, TaxLineFacts
from shared.events.journal import JournalEntry
from shared.journal import ChartOfAccounts, JournalBuilder


def document_entry(
    *,
    source: str,
    document_id: uuid.UUID,
    document_number: str | None,
    posted_on: date,
    currency: str,
    business_district: str,
    lines: Iterable[InvoiceLineFacts],
    taxes: Iterable[TaxLineFacts],
    chart: ChartOfAccounts,
    reverse: bool = False,
) -> JournalEntry:
    """The entry of an invoice (or, `reverse`d, of a credit memo or a void) of these lines and
    taxes: AR takes the total, revenue and tax payable the parts, so it balances by construction."""
    sign = Decimal(-1) if reverse else Decimal(1)
    revenue: dict[str, Decimal] = {}
    for line in lines:
        revenue[line.service_line] = revenue.get(line.service_line, Decimal(0)) + line.amount
    tax: dict[str, Decimal] = {}
    for tax_line in taxes:
        tax[tax_line.jurisdiction] = tax.get(tax_line.jurisdiction, Decimal(0)) + tax_line.amount
    total = sum(revenue.values(), Decimal(0)) + sum(tax.values(), Decimal(0))
    district = {"business_district": business_district}
    entry = JournalBuilder(
        source=source,
        document_id=document_id,
        document_number=document_number,
        posted_on=posted_on,
        currency=currency,
    ).post(chart.ar_control, sign * total, **district, memo=document_number)
    for service_line, amount in sorted(revenue.items()):
        entry.post(
            chart.revenue(service_line), -sign * amount, **district, service_line=service_line
        )
    for code, amount in sorted(tax.items()):
        entry.post(chart.sales_tax(code), -sign * amount, **district, jurisdiction=code)
    return entry.build()


def opening_balance_entry(
    *,
    document_id: uuid.UUID,
    document_number: str,
    posted_on: date,
    currency: str,
    business_district: str,
    amount: Decimal,
    chart: ChartOfAccounts,
) -> JournalEntry:
    """A legacy invoice's opening balance: the AR it brings, against the conversion account
    that the GL's opening trial balance offsets (docs/domain.md#go-live)."""
    district = {"business_district": business_district, "memo": document_number}
    return (
        JournalBuilder(
            source="opening_balance",
            document_id=document_id,
            document_number=document_number,
            posted_on=posted_on,
            currency=currency,
        )
        .debit(chart.ar_control, amount, **district)
        .credit(chart.conversion, amount, **district)
        .build()
    )
