"""The credit service's tables: its copy of customers, credit lines and holds, applications and
their evidence, and the receivables projection exposure is computed from."""

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, Index, LargeBinary, Text
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared.clock import utc_now
from shared.db import DecimalType, JSONColumn, UTCDateTime, new_id


class CreditTable(SQLModel, registry=registry()):
    pass


def _json(**kwargs: Any) -> Any:
    return Field(sa_column=Column(JSONColumn, nullable=False), **kwargs)


def _money(**kwargs: Any) -> Any:
    return Field(sa_type=DecimalType(), **kwargs)


class CreditAccount(CreditTable, table=True):
    """Credit's own copy of the customer facts a credit review needs, kept from customer events."""

    __tablename__ = "credit_accounts"

    id: uuid.UUID = Field(primary_key=True, description="The customer's id")
    revision: int
    account_number: str = Field(index=True, max_length=20)
    legal_name: str = Field(max_length=200)
    status: str = Field(index=True, max_length=20)
    # The hold as the customer master shows it; credit's own holds are CreditHold rows.
    credit_hold: bool
    currency: str = Field(max_length=3)
    business_district: str = Field(index=True, max_length=50)
    # The onboarding checklist: whether the credit application and signed terms are in.
    onboarding: list[dict[str, Any]] = _json()
    # What the customer disputes now (open disputes, from collections); part of open AR still.
    disputed: Decimal = _money(default=Decimal(0))
    synced_at: datetime = Field(
        default_factory=utc_now, sa_type=UTCDateTime, sa_column_kwargs={"onupdate": utc_now}
    )


class CreditLine(CreditTable, table=True):
    """A customer's active credit: limit, terms and when it is next reviewed."""

    __tablename__ = "credit_lines"

    customer_id: uuid.UUID = Field(primary_key=True)
    currency: str = Field(max_length=3)
    credit_limit: Decimal = _money()
    terms: dict[str, Any] = _json()
    review_on: date | None = Field(default=None, index=True)
    approved_by: str = Field(max_length=200)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    changed_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class CreditLineRequest(CreditTable, table=True):
    """A limit above the second-approval threshold, set by one person and waiting for another."""

    __tablename__ = "credit_line_requests"

    customer_id: uuid.UUID = Field(primary_key=True)
    credit_limit: Decimal = _money()
    terms: dict[str, Any] = _json()
    review_on: date | None = None
    reason: str = Field(sa_column=Column(Text, nullable=False))
    requested_by: str = Field(max_length=200)
    requested_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class CreditHold(CreditTable, table=True):
    """A hold on a customer's credit; the open one has no `released_at`."""

    __tablename__ = "credit_holds"
    __table_args__ = (Index("ix_credit_holds_open", "customer_id", "released_at"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    customer_id: uuid.UUID
    automatic: bool
    reasons: list[str] = _json()
    placed_by: str = Field(max_length=200)
    placed_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    released_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    released_by: str | None = Field(default=None, max_length=200)
    release_reason: str | None = Field(default=None, sa_column=Column(Text))


class HoldReleaseCover(CreditTable, table=True):
    """What a person's release of a hold accepted: how far over the limit the customer was and
    which invoices were past the threshold. Credit puts no automatic hold back for these; it goes
    when a hold is placed again or the account is cured."""

    __tablename__ = "hold_release_covers"

    customer_id: uuid.UUID = Field(primary_key=True)
    hold_id: uuid.UUID
    released_by: str = Field(max_length=200)
    released_on: date
    over_limit: Decimal = _money()
    past_due_invoices: list[str] = _json()


class CreditApplication(CreditTable, table=True):
    """A customer's request for credit and its decision."""

    __tablename__ = "credit_applications"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    customer_id: uuid.UUID = Field(index=True)
    status: str = Field(index=True, max_length=20)
    business: dict[str, Any] = _json()
    currency: str = Field(max_length=3)
    requested_limit: Decimal = _money()
    requested_terms: dict[str, Any] = _json()
    trade_references: list[dict[str, Any]] = _json()
    bank_references: list[dict[str, Any]] = _json()
    documents: list[dict[str, Any]] = _json()
    submitted_by: str = Field(max_length=200)
    submitted_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    reviewer: str | None = Field(default=None, max_length=200)
    approved_limit: Decimal | None = _money(default=None, nullable=True)
    approved_terms: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONColumn))
    conditions: str | None = Field(default=None, sa_column=Column(Text))
    decline_reasons: list[str] | None = Field(default=None, sa_column=Column(JSONColumn))
    decided_by: str | None = Field(default=None, max_length=200)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ReferenceCheck(CreditTable, table=True):
    """One call to a trade or bank reference and what it said."""

    __tablename__ = "reference_checks"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    application_id: uuid.UUID = Field(index=True)
    customer_id: uuid.UUID = Field(index=True)
    reference_name: str = Field(max_length=200)
    contact: str = Field(max_length=200)
    called_on: date
    highest_credit: Decimal | None = _money(default=None, nullable=True)
    terms: str | None = Field(default=None, max_length=100)
    days_beyond_terms: int | None = None
    comments: str | None = Field(default=None, sa_column=Column(Text))
    verified: bool
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class BureauReport(CreditTable, table=True):
    """A credit bureau check: the report received, or why the check failed."""

    __tablename__ = "bureau_reports"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    customer_id: uuid.UUID = Field(index=True)
    provider: str = Field(max_length=50)
    status: str = Field(max_length=20)
    score: int | None = None
    payment_index: int | None = None
    derogatory_items: int | None = None
    reported_on: date | None = None
    reference: str | None = Field(default=None, max_length=200)
    document_name: str | None = Field(default=None, max_length=255)
    document: bytes | None = Field(default=None, sa_column=Column(LargeBinary))
    raw: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONColumn))
    error: str | None = Field(default=None, sa_column=Column(Text))
    pulled_by: str = Field(max_length=200)
    pulled_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class ReceivableItem(CreditTable, table=True):
    """An open-AR document as credit sees it from invoicing and payments events. `balance` is
    signed: invoices owe (+), payments, deposits and on-account credits are owed back (−)."""

    __tablename__ = "receivable_items"
    __table_args__ = (Index("ix_receivable_items_open", "customer_id", "is_open"),)

    id: uuid.UUID = Field(primary_key=True, description="The document's id in its service")
    customer_id: uuid.UUID
    kind: str = Field(max_length=20)
    number: str | None = Field(default=None, max_length=50)
    currency: str = Field(max_length=3)
    document_date: date
    due_date: date | None = None
    amount: Decimal = _money()
    balance: Decimal = _money()
    # Kept beside the balance so open items are found without comparing decimals in SQL.
    is_open: bool
    # When a payment settled an invoice; its days beyond terms feed the payment history.
    paid_on: date | None = None
    voided: bool = False
    reversed_on: date | None = None


class UnbilledTicket(CreditTable, table=True):
    """A closed ticket: exposure until an invoice bills it."""

    __tablename__ = "unbilled_tickets"
    __table_args__ = (Index("ix_unbilled_tickets_customer", "customer_id", "invoice_id"),)

    ticket_id: uuid.UUID = Field(primary_key=True)
    customer_id: uuid.UUID
    ticket_number: str = Field(max_length=50)
    amount: Decimal = _money()
    closed_at: datetime = Field(sa_type=UTCDateTime)
    invoice_id: uuid.UUID | None = None


class OrderAuthorization(CreditTable, table=True):
    """The sales system's question "may this customer order this much?" and credit's answer.
    An approved one counts in exposure until its ticket closes or it expires."""

    __tablename__ = "order_authorizations"
    __table_args__ = (Index("ix_order_authorizations_open", "customer_id", "approved", "billed"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    customer_id: uuid.UUID
    amount: Decimal = _money()
    order_ref: str | None = Field(default=None, index=True, max_length=100)
    approved: bool
    reasons: list[dict[str, Any]] = _json()
    requested_by: str = Field(max_length=200)
    requested_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    expires_on: date
    billed: bool = False


class PaymentPromise(CreditTable, table=True):
    """A customer's promise to pay, from collections; kept or broken by the payments that
    followed it."""

    __tablename__ = "payment_promises"

    id: uuid.UUID = Field(primary_key=True, description="The promise's id in collections")
    customer_id: uuid.UUID = Field(index=True)
    amount: Decimal = _money()
    recorded_on: date
    promised_on: date


class CreditDispute(CreditTable, table=True):
    """A dispute collections opened: an invoice (or an amount on account) the customer does not
    accept, until it is resolved for one side or the other."""

    __tablename__ = "disputes"
    __table_args__ = (Index("ix_credit_disputes_customer", "customer_id", "resolved_on"),)

    id: uuid.UUID = Field(primary_key=True, description="The dispute's id in collections")
    customer_id: uuid.UUID
    invoice_id: uuid.UUID | None = None
    currency: str = Field(max_length=3)
    amount: Decimal = _money()
    opened_on: date
    resolved_on: date | None = None
    outcome: str | None = Field(default=None, max_length=20)


class AccruedRental(CreditTable, table=True):
    """A customer's rent and storage earned, and billable third-party costs posted, not billed
    yet, as invoicing last said."""

    __tablename__ = "accrued_rentals"

    customer_id: uuid.UUID = Field(primary_key=True)
    currency: str = Field(max_length=3)
    as_of: date
    amount: Decimal = _money()
    pass_through: Decimal = _money(default=Decimal(0))
