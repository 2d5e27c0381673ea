"""The payments service's tables: payers and open items (its copies of other services' facts),
and the documents it owns: payments, remittance lines, applications, suggestions, deposits,
refunds, write-offs, credit memos as settlement sources, bank files, remittance advices (with the
file they came in) and learned payer
aliases."""

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, LargeBinary, Text, UniqueConstraint
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from services.payments.domain.statuses import (
    AdviceStatus,
    ApplicationStatus,
    InvoiceStatus,
    PaymentStatus,
    RefundStatus,
    SuggestionStatus,
)
from shared.clock import utc_now
from shared.db import DecimalType, JSONColumn, UTCDateTime, new_id


class PaymentsTable(SQLModel, registry=registry()):
    pass


CENTS = Decimal("0.01")


class MoneyColumn(DecimalType):
    """NUMERIC(19,4) hands "1250.0000" back; amounts here are read as "1250.00" again (the zeros
    it padded are dropped, nothing else: a finer amount keeps its digits)."""

    cache_ok = True

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
        amount = super().process_result_value(value, dialect)
        if amount is None or amount != amount.quantize(CENTS):
            return amount
        return amount.quantize(CENTS)


def written_forms(amount: Decimal) -> list[Decimal]:
    """The amount at every scale that keeps its value, to look it up: SQLite holds amounts as
    text, so "1250.00" only meets "1250.0" when both are asked for (and Decimal equality would
    merge them in a set)."""
    forms = (amount.quantize(Decimal(1).scaleb(-places)) for places in range(5))
    return list({str(f): f for f in (amount, *forms) if f == amount}.values())


def _money(**kwargs: Any) -> Any:
    return Field(sa_type=MoneyColumn, **kwargs)


class Payer(PaymentsTable, table=True):
    """Payments' own copy of who a customer is, to recognise who sent a payment.

    Kept current from `CustomerRegistered`/`CustomerUpdated`; the customers service owns the facts.
    """

    __tablename__ = "payers"

    id: uuid.UUID = Field(primary_key=True, description="The customer's id")
    revision: int = Field(description="The customer master revision this copy reflects")
    # Not unique: uniqueness is the customer master's rule, and a copy must never refuse its facts.
    account_number: str = Field(index=True, max_length=20)
    legal_name: str = Field(max_length=200)
    dba: str | None = Field(default=None, max_length=200)
    status: str = Field(max_length=20)
    currency: str = Field(max_length=3)
    # What a token limited to districts is judged by, for this customer's payments and items;
    # none on a copy made before payments kept it, until the customer's next event.
    business_district: str | None = Field(default=None, max_length=50)


class OpenItem(PaymentsTable, table=True):
    """An issued invoice as payments sees it, built from invoicing's events: what is still open."""

    __tablename__ = "open_items"

    id: uuid.UUID = Field(primary_key=True, description="The invoice's id")
    number: str = Field(index=True, max_length=50)
    # Normalised forms of the number, so a mangled reference finds it (see matching.references).
    number_key: str = Field(index=True, max_length=60)
    serial_key: str = Field(index=True, max_length=60)
    customer_id: uuid.UUID = Field(index=True)
    currency: str = Field(max_length=3)
    invoice_date: date
    due_date: date
    discount_due_date: date | None = None
    discount_amount: Decimal | None = _money(default=None)
    po_number: str | None = Field(default=None, index=True, max_length=100)
    job_site: str | None = Field(default=None, max_length=200)
    ticket_numbers: list[str] = Field(
        default_factory=list, sa_column=Column(JSONColumn, nullable=False)
    )
    total: Decimal = _money()
    balance: Decimal = _money(index=True)
    status: str = Field(
        default=InvoiceStatus.OPEN, max_length=20, description="open, paid or voided"
    )
    short_pay_reason: str | None = Field(default=None, max_length=100)


class Payment(PaymentsTable, table=True):
    __tablename__ = "payments"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    customer_id: uuid.UUID | None = Field(default=None, index=True)
    method: str = Field(max_length=20)
    amount: Decimal = _money()
    currency: str = Field(max_length=3)
    received_on: date
    # The date it came with, when its month was closed and the setting moved it into the first
    # open month (AR_PAYMENTS_CLOSED_MONTH_POLICY).
    redated_from: date | None = None
    reference: str | None = Field(default=None, max_length=100)
    bank_reference: str | None = Field(default=None, index=True, max_length=100)
    payer_name: str | None = Field(default=None, max_length=200)
    payer_account: str | None = Field(default=None, max_length=100)
    memo: str | None = Field(default=None, sa_column=Column(Text))
    unapplied: Decimal = _money()
    status: str = Field(
        default=PaymentStatus.RECEIVED, max_length=20, description="received or reversed"
    )
    bank_file_id: uuid.UUID | None = Field(default=None, index=True)
    file_line: int | None = None
    # The company's own bank account the money reached (its cash account follows from it).
    bank_account: str | None = Field(default=None, max_length=100)
    reversal_reason: str | None = Field(default=None, max_length=500)
    received_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class RemittanceLine(PaymentsTable, table=True):
    """What the payer said a payment is for: one invoice reference and amount per line."""

    __tablename__ = "remittance_lines"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    payment_id: uuid.UUID = Field(foreign_key="payments.id", index=True)
    position: int
    invoice_number: str | None = Field(default=None, max_length=100)
    amount_paid: Decimal | None = _money(default=None)
    discount: Decimal | None = _money(default=None)
    reason_code: str | None = Field(default=None, max_length=100)
    matched_invoice_id: uuid.UUID | None = None


class Application(PaymentsTable, table=True):
    """Cash of a payment (or a deposit) applied to one invoice; undone by marking it unapplied."""

    __tablename__ = "applications"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    payment_id: uuid.UUID | None = Field(default=None, foreign_key="payments.id", index=True)
    deposit_id: uuid.UUID | None = Field(default=None, foreign_key="deposits.id", index=True)
    invoice_id: uuid.UUID = Field(foreign_key="open_items.id", index=True)
    invoice_number: str = Field(max_length=50)
    customer_id: uuid.UUID = Field(index=True)
    currency: str = Field(max_length=3)
    amount: Decimal = _money()
    discount: Decimal = _money(default=Decimal(0))
    applied_on: date
    automatic: bool = False
    confidence: Decimal | None = _money(default=None)
    explanation: str | None = Field(default=None, sa_column=Column(Text))
    reason_code: str | None = Field(default=None, max_length=100)
    status: str = Field(
        default=ApplicationStatus.ACTIVE, max_length=20, description="active or unapplied"
    )
    unapplied_on: date | None = None
    unapply_reason: str | None = Field(default=None, max_length=500)
    applied_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class Suggestion(PaymentsTable, table=True):
    """A proposed application not sure enough to apply by itself: it waits for review."""

    __tablename__ = "suggestions"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    payment_id: uuid.UUID = Field(foreign_key="payments.id", index=True)
    customer_id: uuid.UUID | None = None
    # What the reviewer sees of the payment without opening it.
    amount: Decimal | None = _money(default=None)
    currency: str | None = Field(default=None, max_length=3)
    received_on: date | None = None
    payer_name: str | None = Field(default=None, max_length=200)
    status: str = Field(
        default=SuggestionStatus.PENDING,
        index=True,
        max_length=20,
        description="pending, accepted, dismissed or superseded",
    )
    confidence: Decimal = _money()
    explanation: str = Field(sa_column=Column(Text, nullable=False))
    proposal: list[dict[str, Any]] = Field(sa_column=Column(JSONColumn, nullable=False))
    unmatched_references: list[str] = Field(
        default_factory=list, sa_column=Column(JSONColumn, nullable=False)
    )
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    decided_by: str | None = Field(default=None, max_length=200)
    superseded_reason: str | None = Field(default=None, sa_column=Column(Text))


class SuggestedInvoice(PaymentsTable, table=True):
    """An invoice a suggestion proposes cash for: a change to the invoice finds its suggestions."""

    __tablename__ = "suggestion_invoices"

    suggestion_id: uuid.UUID = Field(foreign_key="suggestions.id", primary_key=True)
    invoice_id: uuid.UUID = Field(primary_key=True, index=True)


class PayerAlias(PaymentsTable, table=True):
    """A name or bank account a customer pays under, learned when a person matched one by hand."""

    __tablename__ = "payer_aliases"
    __table_args__ = (UniqueConstraint("kind", "value"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    kind: str = Field(max_length=20, description="name or account")
    value: str = Field(max_length=200, description="Normalised name or account number")
    customer_id: uuid.UUID = Field(index=True)
    learned_from: uuid.UUID = Field(description="The payment matched by hand")
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class Deposit(PaymentsTable, table=True):
    """Money taken before the work is done, held until the invoice it was for is issued."""

    __tablename__ = "deposits"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    customer_id: uuid.UUID = Field(index=True)
    method: str = Field(max_length=20)
    amount: Decimal = _money()
    remaining: Decimal = _money()
    currency: str = Field(max_length=3)
    received_on: date
    reference: str | None = Field(default=None, max_length=100)
    ticket_number: str | None = Field(default=None, index=True, max_length=100)
    job_site: str | None = Field(default=None, max_length=200)
    po_number: str | None = Field(default=None, index=True, max_length=100)
    received_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class Refund(PaymentsTable, table=True):
    """Unapplied credit paid back to the customer, once an AR supervisor approves it."""

    __tablename__ = "refunds"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    payment_id: uuid.UUID = Field(foreign_key="payments.id", index=True)
    customer_id: uuid.UUID = Field(index=True)
    amount: Decimal = _money()
    currency: str = Field(max_length=3)
    reason: str = Field(max_length=500)
    status: str = Field(
        default=RefundStatus.PENDING_APPROVAL,
        max_length=20,
        description="pending_approval, issued or rejected",
    )
    requested_by: str = Field(max_length=200)
    decided_by: str | None = Field(default=None, max_length=200)
    issued_on: date | None = None
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class WriteOff(PaymentsTable, table=True):
    __tablename__ = "write_offs"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    invoice_id: uuid.UUID = Field(foreign_key="open_items.id", index=True)
    customer_id: uuid.UUID = Field(index=True)
    currency: str = Field(max_length=3)
    amount: Decimal = _money()
    reason: str = Field(max_length=500)
    approved_by: str = Field(max_length=200)
    posted_on: date
    # Set when the invoice's void undid it (a void and a write-off that crossed).
    reversed_on: date | None = None
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class CreditMemoCredit(PaymentsTable, table=True):
    """A credit memo invoicing issued against an invoice, as a source payments settles that
    invoice's open balance from: what the invoice had no room for stays here, on account."""

    __tablename__ = "credit_memo_credits"

    id: uuid.UUID = Field(primary_key=True, description="The credit memo's id")
    number: str = Field(max_length=50)
    invoice_id: uuid.UUID = Field(foreign_key="open_items.id", index=True)
    customer_id: uuid.UUID = Field(index=True)
    currency: str = Field(max_length=3)
    total: Decimal = _money()
    on_account: Decimal = _money(description="Not (or no longer) settling the invoice")
    issued_on: date
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class BankFile(PaymentsTable, table=True):
    """An imported bank or lockbox file. Its content key (the hash of its records without their
    header times) recognises the same file sent again, once it recorded something."""

    __tablename__ = "bank_files"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    filename: str = Field(max_length=255)
    format: str = Field(max_length=20)
    sha256: str = Field(index=True, max_length=64)
    content_key: str | None = Field(default=None, index=True, max_length=64)
    payments: int = 0
    reversals: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSONColumn, nullable=False)
    )
    errors: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSONColumn, nullable=False)
    )
    duplicates: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSONColumn, nullable=False)
    )
    imported_by: str = Field(max_length=200)
    imported_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class AdviceDocument(PaymentsTable, table=True):
    """A remittance advice as it arrived (an email, an X12 820 file), kept as evidence with what
    was read from each part of it and what was not; in the database, so it commits or rolls back
    with the advices read from it."""

    __tablename__ = "advice_documents"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    source: str = Field(max_length=20, description="upload or mailbox")
    format: str = Field(max_length=20, description="email or x12_820")
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=100)
    size: int
    sha256: str = Field(unique=True, max_length=64)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    parts: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSONColumn, nullable=False)
    )
    problems: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSONColumn, nullable=False)
    )
    received_by: str = Field(max_length=200)
    received_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class RemittanceAdvice(PaymentsTable, table=True):
    """What a payer said a payment pays, sent apart from the money: one email, or one 820
    transaction set. It waits for its payment, is used for it, or is on the worklist."""

    __tablename__ = "remittance_advices"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    document_id: uuid.UUID = Field(foreign_key="advice_documents.id", index=True)
    line: int = Field(description="Where it starts in its file (1 for an email)")
    customer_id: uuid.UUID | None = Field(default=None, index=True)
    payer_name: str | None = Field(default=None, max_length=200)
    sender: str | None = Field(default=None, max_length=320)
    subject: str | None = Field(default=None, max_length=500)
    currency: str = Field(max_length=3)
    total: Decimal | None = _money(default=None, index=True)
    paid_on: date
    reference: str | None = Field(default=None, index=True, max_length=100)
    lines: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSONColumn, nullable=False)
    )
    status: str = Field(default=AdviceStatus.WAITING, index=True, max_length=20)
    status_reason: str | None = Field(default=None, sa_column=Column(Text))
    payment_id: uuid.UUID | None = Field(default=None, foreign_key="payments.id", index=True)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
