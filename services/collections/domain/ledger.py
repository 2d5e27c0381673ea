"""How each financial event changes the receivables ledger: plain Python, no database.

Every open item keeps a signed balance: what the customer owes is positive (invoices), what the
customer has to its credit is negative (unapplied payments, deposits, on-account credit memos).
An event becomes new items and dated entries; an item's balance as of a date is the sum of its
entries dated on or before it, so "as of" questions need nothing else.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from shared.events.catalog import EventPayload
from shared.events.invoicing import CreditMemoIssued, InvoiceIssued, InvoiceVoided
from shared.events.payments import (
    CreditMemoApplied,
    DepositReceived,
    PaymentApplied,
    PaymentReceived,
    PaymentReversed,
    PaymentUnapplied,
    RefundIssued,
    WriteOffPosted,
    WriteOffReversed,
)


class ItemKind(StrEnum):
    INVOICE = "invoice"
    CREDIT_MEMO = "credit_memo"
    PAYMENT = "payment"
    DEPOSIT = "deposit"
    REFUND = "refund"  # a refund paid out of credits not tied to one payment


# Invoices and credit memos post to the AR control account; the rest to unapplied cash/deposits.
AR_CONTROL_KINDS = frozenset({ItemKind.INVOICE, ItemKind.CREDIT_MEMO})


class Column(StrEnum):
    """Where an item shows in the aging: invoices in the buckets, credits in their own column."""

    BUCKETS = "buckets"
    CREDITS = "credits"


class EntryKind(StrEnum):
    INVOICED = "invoiced"
    VOIDED = "voided"
    CREDIT_MEMO = "credit_memo"  # the memo itself, a credit
    CREDITED = "credited"  # the memo's amount taken off the invoice it credits
    CREDIT_APPLIED = "credit_applied"  # ... and so no longer open on the memo
    RECEIVED = "received"  # cash or a deposit received, unapplied
    APPLIED = "applied"  # taken off the payment or deposit to pay an invoice
    PAID = "paid"  # cash applied to the invoice
    DISCOUNT = "discount"  # early-payment discount taken with it
    UNAPPLIED = "unapplied"  # an application undone, back on the payment
    PAYMENT_UNDONE = "payment_undone"  # ... and back on the invoice: a reversal
    REVERSED = "reversed"  # a returned / NSF payment
    REFUNDED = "refunded"
    WRITTEN_OFF = "written_off"
    # An imported invoice's part the legacy system saw paid before go-live.
    SETTLED_IN_LEGACY = "settled_in_legacy"
    WRITE_OFF_UNDONE = "write_off_undone"  # the invoice was voided after all


# What the period's credit sales are made of (docs/domain.md#credit-sales).
SALES_KINDS = frozenset({EntryKind.INVOICED, EntryKind.VOIDED, EntryKind.CREDIT_MEMO})


@dataclass(frozen=True)
class NewItem:
    id: uuid.UUID
    customer_id: uuid.UUID
    kind: ItemKind
    number: str | None
    currency: str
    document_date: date
    due_date: date
    business_district: str | None = None
    sales_rep: str | None = None

    @property
    def column(self) -> Column:
        return Column.BUCKETS if self.kind is ItemKind.INVOICE else Column.CREDITS


@dataclass(frozen=True)
class Entry:
    item_id: uuid.UUID
    kind: EntryKind
    amount: Decimal
    entry_date: date
    reference: uuid.UUID | None = None


@dataclass
class LedgerChange:
    items: list[NewItem] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)


def change_for(event: EventPayload) -> LedgerChange:
    """The items and entries an event posts; an event that does not touch the ledger posts none."""
    rule = _RULES.get(type(event))
    return rule(event) if rule else LedgerChange()


def _invoice_issued(e: InvoiceIssued) -> LedgerChange:
    item = NewItem(
        e.invoice_id,
        e.customer_id,
        ItemKind.INVOICE,
        e.number,
        e.currency,
        e.invoice_date,
        e.due_date,
        e.business_district,
        e.sales_rep,
    )
    # A rebill's entry names the invoice it corrects: the rollforward's supplementary invoices.
    entries = [Entry(e.invoice_id, EntryKind.INVOICED, e.total, e.invoice_date, e.rebill_of)]
    if e.owed != e.total:
        entries.append(
            Entry(e.invoice_id, EntryKind.SETTLED_IN_LEGACY, e.owed - e.total, e.invoice_date)
        )
    return LedgerChange([item], entries)


def _invoice_voided(e: InvoiceVoided) -> LedgerChange:
    return LedgerChange(entries=[Entry(e.invoice_id, EntryKind.VOIDED, -e.total, e.voided_on)])


def _credit_memo(e: CreditMemoIssued) -> LedgerChange:
    item = NewItem(
        e.credit_memo_id,
        e.customer_id,
        ItemKind.CREDIT_MEMO,
        e.number,
        e.currency,
        e.issued_on,
        e.issued_on,
        e.business_district,
        e.sales_rep,
    )
    # Open on account until payments, which decides every settlement of an invoice, says how much
    # of it the invoice takes (`credit_memo.applied`); what the invoice has no room for stays open.
    return LedgerChange(
        [item], [Entry(e.credit_memo_id, EntryKind.CREDIT_MEMO, -e.total, e.issued_on)]
    )


def _credit_memo_applied(e: CreditMemoApplied) -> LedgerChange:
    if not e.amount:
        return LedgerChange()  # all of it stays on account
    return LedgerChange(
        entries=[
            Entry(e.credit_memo_id, EntryKind.CREDIT_APPLIED, e.amount, e.applied_on, e.invoice_id),
            Entry(e.invoice_id, EntryKind.CREDITED, -e.amount, e.applied_on, e.credit_memo_id),
        ]
    )


def _payment_received(e: PaymentReceived) -> LedgerChange:
    if e.customer_id is None:
        return LedgerChange()  # not anyone's receivable until the payer is identified
    item = NewItem(
        e.payment_id,
        e.customer_id,
        ItemKind.PAYMENT,
        e.reference,
        e.currency,
        e.received_on,
        e.received_on,
    )
    return LedgerChange([item], [Entry(e.payment_id, EntryKind.RECEIVED, -e.amount, e.received_on)])


def _deposit_received(e: DepositReceived) -> LedgerChange:
    item = NewItem(
        e.deposit_id,
        e.customer_id,
        ItemKind.DEPOSIT,
        e.ticket_number or e.po_number,
        e.currency,
        e.received_on,
        e.received_on,
    )
    return LedgerChange([item], [Entry(e.deposit_id, EntryKind.RECEIVED, -e.amount, e.received_on)])


def _source_of(e: PaymentApplied | PaymentUnapplied) -> uuid.UUID | None:
    return e.payment_id or e.deposit_id


def _payment_applied(e: PaymentApplied) -> LedgerChange:
    entries = [Entry(e.invoice_id, EntryKind.PAID, -e.amount, e.applied_on, e.application_id)]
    if e.discount:
        entries.append(
            Entry(e.invoice_id, EntryKind.DISCOUNT, -e.discount, e.applied_on, e.application_id)
        )
    source = _source_of(e)
    if source is not None:
        entries.append(Entry(source, EntryKind.APPLIED, e.amount, e.applied_on, e.application_id))
    return LedgerChange(entries=entries)


def _payment_unapplied(e: PaymentUnapplied) -> LedgerChange:
    back_on_invoice = e.amount + e.discount
    entries = [
        Entry(
            e.invoice_id,
            EntryKind.PAYMENT_UNDONE,
            back_on_invoice,
            e.unapplied_on,
            e.application_id,
        )
    ]
    source = _source_of(e)
    if source is not None:
        entries.append(
            Entry(source, EntryKind.UNAPPLIED, -e.amount, e.unapplied_on, e.application_id)
        )
    return LedgerChange(entries=entries)


def _payment_reversed(e: PaymentReversed) -> LedgerChange:
    if e.customer_id is None:
        return LedgerChange()
    return LedgerChange(entries=[Entry(e.payment_id, EntryKind.REVERSED, e.amount, e.reversed_on)])


def _refund(e: RefundIssued) -> LedgerChange:
    if e.payment_id is not None:
        return LedgerChange(
            entries=[Entry(e.payment_id, EntryKind.REFUNDED, e.amount, e.issued_on)]
        )
    # Paid out of the customer's credits in general: its own item offsets them in the credit column.
    item = NewItem(
        e.refund_id, e.customer_id, ItemKind.REFUND, None, e.currency, e.issued_on, e.issued_on
    )
    return LedgerChange([item], [Entry(e.refund_id, EntryKind.REFUNDED, e.amount, e.issued_on)])


def _write_off(e: WriteOffPosted) -> LedgerChange:
    return LedgerChange(
        entries=[Entry(e.invoice_id, EntryKind.WRITTEN_OFF, -e.amount, e.posted_on, e.write_off_id)]
    )


def _write_off_reversed(e: WriteOffReversed) -> LedgerChange:
    return LedgerChange(
        entries=[
            Entry(e.invoice_id, EntryKind.WRITE_OFF_UNDONE, e.amount, e.reversed_on, e.write_off_id)
        ]
    )


_RULES: dict[type[EventPayload], Callable[[Any], LedgerChange]] = {
    InvoiceIssued: _invoice_issued,
    InvoiceVoided: _invoice_voided,
    CreditMemoIssued: _credit_memo,
    CreditMemoApplied: _credit_memo_applied,
    PaymentReceived: _payment_received,
    DepositReceived: _deposit_received,
    PaymentApplied: _payment_applied,
    PaymentUnapplied: _payment_unapplied,
    PaymentReversed: _payment_reversed,
    RefundIssued: _refund,
    WriteOffPosted: _write_off,
    WriteOffReversed: _write_off_reversed,
}

LEDGER_EVENTS: tuple[type[EventPayload], ...] = tuple(_RULES)
