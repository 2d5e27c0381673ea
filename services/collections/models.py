"""The collections service's tables."""

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, Index, Text
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared.clock import utc_now
from shared.db import BigIntKey, DecimalType, JSONColumn, UTCDateTime, new_id


class CollectionsTable(SQLModel, registry=registry()):
    pass


class CollectionAccount(CollectionsTable, table=True):
    """Collections' own copy of the customer facts it chases with, kept from customer events."""

    __tablename__ = "collection_accounts"

    id: uuid.UUID = Field(primary_key=True, description="The customer's id")
    revision: int
    account_number: str = Field(index=True, max_length=20)
    legal_name: str = Field(max_length=200)
    status: str = Field(max_length=20)
    currency: str = Field(max_length=3)
    business_district: str = Field(index=True, max_length=50)
    sales_rep: str | None = Field(default=None, index=True, max_length=100)
    payment_terms: dict[str, Any] = Field(sa_column=Column(JSONColumn, nullable=False))
    # Who dunning letters and statements go to.
    contacts: list[dict[str, Any]] = Field(sa_column=Column(JSONColumn, nullable=False))
    synced_at: datetime = Field(
        default_factory=utc_now, sa_type=UTCDateTime, sa_column_kwargs={"onupdate": utc_now}
    )


def _money(*, index: bool = False) -> Any:
    return Field(sa_type=DecimalType, index=index)


class LoggedEvent(CollectionsTable, table=True):
    """Every event the ledger consumed, in the order it consumed them, written in the same
    transaction as the ledger change: the history `rebuild` replays."""

    __tablename__ = "ledger_event_log"

    seq: int | None = Field(default=None, sa_column=Column(BigIntKey, primary_key=True))
    event_id: uuid.UUID = Field(unique=True)
    event_type: str = Field(max_length=100)
    version: int
    customer_id: str = Field(max_length=100)
    envelope: str = Field(sa_column=Column(Text, nullable=False))
    logged_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class LedgerItem(CollectionsTable, table=True):
    """An open item: an invoice, credit memo, payment, deposit or refund, with its balance today
    (the sum of its entries). Positive is owed by the customer, negative is to its credit."""

    __tablename__ = "ledger_items"
    __table_args__ = (Index("ix_ledger_items_customer", "customer_id", "kind", "due_date"),)

    id: uuid.UUID = Field(primary_key=True, description="The document's id in its own service")
    customer_id: uuid.UUID
    kind: str = Field(max_length=20)
    number: str | None = Field(default=None, max_length=100)
    currency: str = Field(max_length=3)
    document_date: date
    due_date: date
    business_district: str = Field(max_length=50)
    sales_rep: str = Field(max_length=100)
    column: str = Field(max_length=10)
    ar_control: bool
    original_amount: Decimal = _money()
    balance: Decimal = _money()


class LedgerEntry(CollectionsTable, table=True):
    """One dated change to an item's balance. The item's aging facts are copied here so aging
    as of a date sums entries alone, from indexed columns."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        Index("ix_ledger_entries_date", "entry_date"),
        Index("ix_ledger_entries_customer", "customer_id", "entry_date"),
        Index("ix_ledger_entries_item", "item_id", "entry_date"),
    )

    id: uuid.UUID = Field(primary_key=True)
    item_id: uuid.UUID
    customer_id: uuid.UUID
    kind: str = Field(max_length=20)
    amount: Decimal = _money()
    entry_date: date
    reference: uuid.UUID | None = None
    event_id: uuid.UUID
    currency: str = Field(max_length=3)
    column: str = Field(max_length=10)
    ar_control: bool
    due_date: date
    document_date: date
    business_district: str = Field(max_length=50)
    sales_rep: str = Field(max_length=100)


class AgingPosition(CollectionsTable, table=True):
    """Today's balances summed by what aging groups on: portfolio aging reads a few thousand of
    these instead of a million items. Kept in the same transaction as the entries."""

    __tablename__ = "aging_positions"

    currency: str = Field(primary_key=True, max_length=3)
    column: str = Field(primary_key=True, max_length=10)
    ar_control: bool = Field(primary_key=True)
    business_district: str = Field(primary_key=True, max_length=50)
    sales_rep: str = Field(primary_key=True, max_length=100)
    due_date: date = Field(primary_key=True)
    document_date: date = Field(primary_key=True)
    balance: Decimal = _money()


class JournalLine(CollectionsTable, table=True):
    """One posting of a journal entry carried by a consumed event: the subledger's journal."""

    __tablename__ = "journal_lines"
    __table_args__ = (Index("ix_journal_lines_account", "account", "posted_on"),)

    entry_id: uuid.UUID = Field(primary_key=True)
    line_no: int = Field(primary_key=True)
    posted_on: date
    currency: str = Field(max_length=3)
    source: str = Field(max_length=50)
    document_id: uuid.UUID
    document_number: str | None = Field(default=None, max_length=100)
    customer_id: uuid.UUID | None = None
    account: str = Field(max_length=50)
    debit: Decimal = _money()
    credit: Decimal = _money()
    business_district: str | None = Field(default=None, max_length=50)
    memo: str | None = Field(default=None, max_length=500)
    # The tax liability report groups by it; None on postings that are not tax.
    jurisdiction: str | None = Field(default=None, max_length=50)
    # The event that carried it: a tie-out difference names its documents through it (None on
    # postings kept before it was recorded).
    event_id: uuid.UUID | None = None


class GLBatch(CollectionsTable, table=True):
    """A numbered export of journal postings to the GL: every posting dated on or before
    `through` that no earlier batch took. Written once; it never changes afterwards."""

    __tablename__ = "gl_batches"

    number: int = Field(primary_key=True)
    kind: str = Field(max_length=10)
    label: str = Field(max_length=10, description="The day (YYYY-MM-DD) or month (YYYY-MM)")
    through: date
    postings: int
    exported_by: str = Field(max_length=200)
    exported_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class GLBatchPosting(CollectionsTable, table=True):
    """Which batch took a posting. The key is the posting's own (entry, line), so no posting
    can ever be in two batches, whatever the relay resends. No index by batch: a batch's
    summary is kept in GLBatchLine, and a second index would double what an export writes."""

    __tablename__ = "gl_batch_postings"

    entry_id: uuid.UUID = Field(primary_key=True)
    line_no: int = Field(primary_key=True)
    batch_number: int


class GLBatchLine(CollectionsTable, table=True):
    """A batch summarised by currency, account and district, written with the batch: a batch
    never changes, so its files are read from here instead of re-summing its postings."""

    __tablename__ = "gl_batch_lines"

    batch_number: int = Field(primary_key=True)
    currency: str = Field(primary_key=True, max_length=3)
    account: str = Field(primary_key=True, max_length=50)
    department: str = Field(primary_key=True, max_length=50)
    debit: Decimal = _money()
    credit: Decimal = _money()
    postings: int


class UnbilledTicket(CollectionsTable, table=True):
    """A closed ticket, and the invoice that billed it once one did."""

    __tablename__ = "unbilled_tickets"
    __table_args__ = (Index("ix_unbilled_open", "invoiced_on", "closed_on"),)

    ticket_id: uuid.UUID = Field(primary_key=True)
    ticket_number: str = Field(max_length=100)
    customer_id: uuid.UUID
    currency: str = Field(max_length=3)
    business_district: str = Field(max_length=50)
    sales_rep: str = Field(max_length=100)
    closed_on: date
    amount: Decimal = _money()
    invoice_id: uuid.UUID | None = None
    invoiced_on: date | None = None


class UnbilledRental(CollectionsTable, table=True):
    """A customer's rent and storage earned and billable third-party costs posted, not billed
    yet, as invoicing last said."""

    __tablename__ = "unbilled_rentals"

    customer_id: uuid.UUID = Field(primary_key=True)
    currency: str = Field(max_length=3)
    as_of: date
    rental: Decimal = _money()
    storage: Decimal = _money()
    pass_through: Decimal = Field(default=Decimal(0), sa_type=DecimalType)


class Activity(CollectionsTable, table=True):
    """Something done to collect: a call, email, letter, meeting or note, with what came of it."""

    __tablename__ = "collection_activities"
    __table_args__ = (Index("ix_activities_customer", "customer_id", "occurred_at"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    customer_id: uuid.UUID
    kind: str = Field(max_length=20)
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    outcome: str | None = Field(default=None, max_length=500)
    next_step: str | None = Field(default=None, max_length=500)
    next_step_on: date | None = None
    notes: str | None = Field(default=None, sa_column=Column(Text))
    invoice_id: uuid.UUID | None = None
    recorded_by: str = Field(max_length=200)


class PromiseToPay(CollectionsTable, table=True):
    """A promise to pay `amount` by `promised_on`; payments received count towards it."""

    __tablename__ = "promises_to_pay"
    __table_args__ = (Index("ix_promises_customer", "customer_id", "promised_on"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    customer_id: uuid.UUID
    currency: str = Field(max_length=3)
    amount: Decimal = _money()
    promised_on: date
    recorded_on: date
    paid_amount: Decimal = Field(default=Decimal(0), sa_type=DecimalType)
    kept_on: date | None = None
    invoice_ids: list[str] = Field(
        default_factory=list, sa_column=Column(JSONColumn, nullable=False)
    )
    # Payment id → amount counted, so a returned payment can be taken back off the promise.
    counted_payments: dict[str, str] = Field(
        default_factory=dict, sa_column=Column(JSONColumn, nullable=False, server_default="{}")
    )
    recorded_by: str = Field(max_length=200)


class Dispute(CollectionsTable, table=True):
    """A disputed invoice or amount, routed to the department that must act."""

    __tablename__ = "disputes"
    __table_args__ = (Index("ix_disputes_customer", "customer_id", "status"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    customer_id: uuid.UUID
    invoice_id: uuid.UUID | None = None
    currency: str = Field(max_length=3)
    amount: Decimal = _money()
    reason: str = Field(max_length=500)
    department: str = Field(max_length=20)
    status: str = Field(max_length=20)
    opened_on: date
    resolved_on: date | None = None
    resolution: str | None = Field(default=None, max_length=500)
    outcome: str | None = Field(default=None, max_length=20)
    opened_by: str = Field(max_length=200)


class DunningNotice(CollectionsTable, table=True):
    """A dunning letter sent: to whom, at which stage, for which items."""

    __tablename__ = "dunning_notices"
    __table_args__ = (Index("ix_dunning_customer", "customer_id", "sent_on"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    customer_id: uuid.UUID
    stage: int
    currency: str = Field(max_length=3)
    amount_past_due: Decimal = _money()
    invoice_ids: list[str] = Field(sa_column=Column(JSONColumn, nullable=False))
    sent_on: date
    sent_to: list[str] = Field(sa_column=Column(JSONColumn, nullable=False))
    sent_by: str = Field(max_length=200)


class ParkedEntry(CollectionsTable, table=True):
    """An entry for an item not opened yet: a payment applied to an invoice whose event, on
    another topic, has not arrived. Posted the moment the item opens."""

    __tablename__ = "ledger_parked_entries"

    id: uuid.UUID = Field(primary_key=True)
    item_id: uuid.UUID = Field(index=True)
    kind: str = Field(max_length=20)
    amount: Decimal = _money()
    entry_date: date
    reference: uuid.UUID | None = None
    event_id: uuid.UUID


class ClosedPeriod(CollectionsTable, table=True):
    """A month closed at month-end: its aging is final and nothing may post into it."""

    __tablename__ = "closed_periods"

    period: str = Field(primary_key=True, max_length=7)
    closed_through: date
    closed_by: str = Field(max_length=200)
    closed_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    ar_balance: dict[str, str] = Field(
        sa_column=Column(JSONColumn, nullable=False),
        description="AR per currency at the close, as decimal strings",
    )
    # The month-end aging by currency and district, kept as it stood at the close.
    aging_snapshot: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSONColumn, nullable=False, server_default="[]")
    )
    # The month's KPIs per currency, kept as they stood at the close.
    kpi_snapshot: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSONColumn, nullable=False, server_default="[]")
    )
    # A close with its checklist incomplete: why, and which items were still open.
    override_reason: str | None = Field(default=None, max_length=500)
    incomplete_items: list[str] = Field(
        default_factory=list, sa_column=Column(JSONColumn, nullable=False, server_default="[]")
    )


class MonthlySales(CollectionsTable, table=True):
    """Credit sales per month (invoices net of voids and credit memos), kept with the entries:
    DSO and CEI read a few hundred of these instead of a year of entries."""

    __tablename__ = "monthly_credit_sales"

    currency: str = Field(primary_key=True, max_length=3)
    business_district: str = Field(primary_key=True, max_length=50)
    sales_rep: str = Field(primary_key=True, max_length=100)
    month: str = Field(primary_key=True, max_length=7)
    amount: Decimal = _money()


class CloseSignoff(CollectionsTable, table=True):
    """A person's signature on one item of a month's close checklist."""

    __tablename__ = "close_signoffs"

    period: str = Field(primary_key=True, max_length=7)
    item: str = Field(primary_key=True, max_length=50)
    signed_by: str = Field(max_length=200)
    signed_at: datetime = Field(sa_type=UTCDateTime)
    note: str | None = Field(default=None, max_length=500)


class Reconciliation(CollectionsTable, table=True):
    """The sales system's and the accounting system's AR compared with the ledger as of a day."""

    __tablename__ = "reconciliations"
    __table_args__ = (Index("ix_reconciliations_as_of", "as_of"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    as_of: date
    prepared_by: str = Field(max_length=200)
    created_at: datetime = Field(sa_type=UTCDateTime)
    # Per side imported: rows, customers, its total and the ledger's, who imported it and when.
    sources: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSONColumn, nullable=False)
    )
    signed_off_by: str | None = Field(default=None, max_length=200)
    signed_off_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ReconciliationDifference(CollectionsTable, table=True):
    """One classified difference between a side and the ledger, and how it was resolved."""

    __tablename__ = "reconciliation_differences"
    __table_args__ = (Index("ix_reconciliation_differences", "reconciliation_id", "side"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    reconciliation_id: uuid.UUID
    side: str = Field(max_length=20)
    account_number: str = Field(max_length=100)
    customer_id: uuid.UUID | None = None
    currency: str | None = Field(default=None, max_length=3)
    klass: str = Field(max_length=30)
    held_by: str = Field(max_length=10)
    document: str | None = Field(default=None, max_length=100)
    source_amount: Decimal = _money()
    ledger_amount: Decimal = _money()
    difference: Decimal = _money()
    explanation: str = Field(max_length=500)
    rows: list[int] = Field(default_factory=list, sa_column=Column(JSONColumn, nullable=False))
    documents: list[str] = Field(default_factory=list, sa_column=Column(JSONColumn, nullable=False))
    resolution: str = Field(max_length=30)
    resolution_note: str | None = Field(default=None, max_length=500)
    adjusting_document: str | None = Field(default=None, max_length=100)
    resolved_by: str | None = Field(default=None, max_length=200)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
