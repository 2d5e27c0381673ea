"""What the collections API answers."""

import uuid
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from services.collections.domain.ledger import EntryKind
from services.collections.domain.reconciliation import DifferenceClass, Holder, Resolution, Side
from services.collections.domain.reconciliation import DocumentKind as ReconciledKind
from services.collections.domain.work import ActivityKind, PromiseStatus
from shared.api.body import RequestBody
from shared.api.dates import BoundedDate, BoundedDateTime, BoundedMonth
from shared.events.collections import Department, DisputeOutcome
from shared.events.customers import Contact, CustomerStatus, PaymentTerms
from shared.money import Amount, MoneyModel, MoneyOut, PositiveAmount, round_money


def _per_currency(balances: dict[str, Decimal]) -> dict[str, Decimal]:
    return {currency: round_money(ar, currency) for currency, ar in balances.items()}


# AR keyed by currency, each rounded to its own key's minor unit.
ARByCurrency = Annotated[dict[str, Decimal], AfterValidator(_per_currency)]

DAYS = Decimal("0.1")  # days beyond terms, like the KPIs' days: one decimal, half-up


class CollectionAccountOut(MoneyModel):
    """A customer as collections sees it: who owes, in which currency and on what terms, in
    which district and sales rep's book, and whom to send dunning letters and statements."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID = Field(description="The customer's id")
    account_number: str = Field(examples=["C000123"])
    legal_name: str
    status: CustomerStatus
    currency: str = Field(examples=["USD"])
    business_district: str = Field(examples=["permian"])
    sales_rep: str | None
    payment_terms: PaymentTerms
    contacts: list[Contact]
    revision: int = Field(description="The customer master's revision this copy reflects")
    synced_at: datetime = Field(description="When collections last took a change of this customer")


class AgingLineOut(MoneyModel):
    """One currency's (and group's) open AR by bucket; unapplied credits in their own column."""

    currency: str = Field(examples=["USD"])
    group: str | None = Field(
        description="The customer id, district or sales rep; absent in totals"
    )
    name: str | None = Field(
        default=None, description="Grouped by customer: its account number and legal name"
    )
    buckets: dict[str, MoneyOut] = Field(examples=[{"current": "1000.00", "1-30": "250.00"}])
    open_ar: MoneyOut = Field(description="Sum of the buckets")
    unapplied_credits: MoneyOut = Field(
        description="Unapplied payments, deposits and on-account credits (negative)"
    )
    net: MoneyOut = Field(description="open_ar + unapplied_credits")


class AgingOut(BaseModel):
    as_of: date
    basis: str
    group_by: str | None
    bucket_labels: list[str]
    totals: list[AgingLineOut]
    rows: list[AgingLineOut]


class _ItemOut(MoneyModel):
    """What the ledger knows of an open item, whichever way it is read."""

    id: uuid.UUID
    customer_id: uuid.UUID
    kind: str
    number: str | None
    currency: str
    document_date: date
    due_date: date
    business_district: str
    sales_rep: str
    original_amount: MoneyOut


class AgedItemOut(_ItemOut):
    """An open item as of the date, with its age."""

    balance: MoneyOut = Field(description="Balance as of the date")
    days_past_due: int
    bucket: str | None = Field(description="None for credits, which are not aged")


class MonthKpisOut(MoneyModel):
    """One month's collection KPIs for one currency (and group): money in the currency's minor
    unit, days and percentages to one decimal."""

    period: str = Field(examples=["2026-10"])
    currency: str
    group: str | None
    credit_sales: MoneyOut
    beginning_ar: MoneyOut
    ending_ar: MoneyOut
    current_ar: MoneyOut = Field(description="Ending AR not yet due")
    dso_standard: Decimal | None = Field(description="Days; None without credit sales")
    dso_countback: Decimal | None
    best_possible_dso: Decimal | None
    average_days_delinquent: Decimal | None
    cei: Decimal | None = Field(description="Collection effectiveness index, percent")
    dso_target: Decimal | None = Field(
        default=None, description="The district's target, when grouped by district"
    )
    on_target: bool | None = None


class KpisOut(BaseModel):
    period: str
    group_by: str | None
    months: list[MonthKpisOut] = Field(description="Oldest first; the last is the period asked for")


class LedgerEntryOut(MoneyModel):
    kind: str = Field(
        examples=[
            EntryKind.PAID,
            EntryKind.CREDITED,
            EntryKind.WRITTEN_OFF,
            EntryKind.PAYMENT_UNDONE,
        ]
    )
    amount: MoneyOut = Field(description="Change to the item's balance")
    entry_date: date
    reference: uuid.UUID | None = Field(
        description="The application, credit memo or write-off; a rebill: the invoice it corrects"
    )


class LedgerItemOut(_ItemOut):
    balance: MoneyOut = Field(description="Today's balance: the sum of the history")
    history: list[LedgerEntryOut]


class TieOutOut(MoneyModel):
    currency: str
    ledger: MoneyOut
    journal: MoneyOut
    difference: MoneyOut


class ActivityIn(RequestBody):
    """Something done to collect, with its outcome and the next step."""

    customer_id: uuid.UUID
    kind: ActivityKind
    occurred_at: BoundedDateTime | None = Field(default=None, description="Default now")
    outcome: str | None = Field(
        default=None, max_length=500, examples=["Spoke to AP; check run Friday"]
    )
    next_step: str | None = Field(default=None, max_length=500, examples=["Call back Monday"])
    next_step_on: BoundedDate | None = None
    notes: str | None = Field(default=None, max_length=5000)
    invoice_id: uuid.UUID | None = None


class ActivityOut(ActivityIn):
    model_config = ConfigDict(from_attributes=True, extra="ignore")  # an answer, not a body

    id: uuid.UUID
    occurred_at: datetime
    recorded_by: str


class PromiseIn(RequestBody):
    customer_id: uuid.UUID
    amount: PositiveAmount
    promised_on: BoundedDate = Field(description="The date the customer promised to pay by")
    invoice_ids: list[uuid.UUID] = Field(default_factory=list, max_length=200)


class PromiseOut(MoneyModel):
    id: uuid.UUID
    customer_id: uuid.UUID
    currency: str
    amount: MoneyOut
    promised_on: date
    recorded_on: date
    paid_amount: MoneyOut = Field(description="Payments received towards it by its date")
    status: str = Field(examples=list(PromiseStatus))
    invoice_ids: list[uuid.UUID]
    recorded_by: str


class DisputeIn(RequestBody):
    """An invoice disputed (whole, or `amount` of it), or an amount on account."""

    customer_id: uuid.UUID
    invoice_id: uuid.UUID | None = None
    amount: PositiveAmount | None = Field(
        default=None, description="Default: the invoice's balance"
    )
    reason: str = Field(min_length=1, max_length=500, examples=["Hours on ticket T-1042 disputed"])
    department: Department


class DisputeOut(MoneyModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    customer_id: uuid.UUID
    invoice_id: uuid.UUID | None
    currency: str
    amount: MoneyOut
    reason: str
    department: Department
    status: str
    opened_on: date
    resolved_on: date | None
    resolution: str | None
    outcome: DisputeOutcome | None = Field(description="Whom it was settled for, once resolved")
    opened_by: str


class DisputeResolution(RequestBody):
    outcome: DisputeOutcome = Field(
        description="Whom it was settled for: the customer (not owed), the company (owed as "
        "invoiced) or split"
    )
    resolution: str = Field(
        min_length=1, max_length=500, examples=["Credit memo CM-2026-000017 issued"]
    )


class WorklistRowOut(MoneyModel):
    """A customer to work: what is past due, what of it is disputed or promised (shown, not
    chased), what is left to chase, and what the 30- and 60-day rules ask for. Money in the
    currency's minor unit, days beyond terms to one decimal, the priority to two."""

    customer_id: uuid.UUID
    account_number: str | None
    legal_name: str | None
    business_district: str | None
    sales_rep: str | None
    currency: str
    past_due: MoneyOut
    oldest_days_past_due: int
    disputed: MoneyOut
    promised: MoneyOut = Field(description="Still covered by live promises to pay")
    to_chase: MoneyOut
    broken_promises: int
    days_beyond_terms: Decimal | None = Field(
        description="Amount-weighted, of invoices paid so far; days to one decimal"
    )
    last_activity_on: date | None
    follow_up_due: bool = Field(description="Over 30 days past due and not worked this week")
    needs_action_history: bool = Field(description="Over 60 days: on the management report")
    priority: Decimal = Field(description="Higher is more worth a call")

    @field_validator("days_beyond_terms")
    @classmethod
    def _one_decimal(cls, days: Decimal | None) -> Decimal | None:
        return None if days is None else days.quantize(DAYS, rounding=ROUND_HALF_UP)


class DunningRunIn(RequestBody):
    as_of: BoundedDate | None = Field(default=None, description="Default today")
    business_district: str | None = Field(default=None, max_length=50)


class DunningNoticeOut(MoneyModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    customer_id: uuid.UUID
    stage: int
    currency: str
    amount_past_due: MoneyOut
    invoice_ids: list[uuid.UUID]
    sent_on: date
    sent_to: list[str]
    sent_by: str


class SetAsideOut(MoneyModel):
    """Part of an overdue invoice a run left out of the customer's letter, and why."""

    model_config = ConfigDict(from_attributes=True)

    invoice_id: uuid.UUID
    currency: str
    amount: MoneyOut
    reason: str = Field(default="disputed", examples=["disputed"])


class DunningRunOut(BaseModel):
    sent: list[DunningNoticeOut]
    skipped: dict[str, str] = Field(
        description="Customer id → why no letter: live_promise, disputed, under_minimum, "
        "not_overdue_enough, already_sent_today, stage_already_sent (the age has not reached "
        "the next stage), sent_recently (within the interval after the last letter), no_email"
    )
    set_aside: dict[str, list[SetAsideOut]] = Field(
        default_factory=dict,
        description="Customer id → the overdue amounts left out of its letter (or of the run)",
    )


class UnbilledTicketOut(MoneyModel):
    model_config = ConfigDict(from_attributes=True)

    ticket_id: uuid.UUID
    ticket_number: str
    customer_id: uuid.UUID
    currency: str
    closed_on: date
    amount: MoneyOut


class UnbilledGroupOut(MoneyModel):
    """A district and sales rep's closed tickets not yet invoiced, their customers' rent and
    storage earned but not billed, and what is at risk."""

    business_district: str
    sales_rep: str
    currency: str
    tickets: list[UnbilledTicketOut]
    rental_unbilled: MoneyOut = Field(description="Rent its customers earned, not billed yet")
    storage_unbilled: MoneyOut = Field(description="Storage its customers earned, not billed yet")
    pass_through_unbilled: MoneyOut = Field(
        description="Billable third-party costs posted for its customers, at the price they "
        "will bill, not billed yet"
    )
    amount_at_risk: MoneyOut = Field(description="The tickets, the rent and the storage")


class OverSixtyOut(MoneyModel):
    customer_id: uuid.UUID
    account_number: str | None
    legal_name: str | None
    currency: str
    past_due: MoneyOut
    oldest_days_past_due: int
    disputed: MoneyOut
    promised: MoneyOut
    actions: list[ActivityOut] = Field(description="The account's action history, oldest first")
    next_step: str


class StatementOut(MoneyModel):
    customer_id: uuid.UUID
    account_number: str
    legal_name: str
    currency: str
    as_of: date
    items: list[AgedItemOut]
    balance: MoneyOut


class ReopenIn(RequestBody):
    reason: str = Field(
        min_length=1, max_length=500, examples=["October's rebill of INV-2026-000412 was missed"]
    )


class ClosedPeriodOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    period: str = Field(examples=["2026-10"])
    closed_through: date
    closed_by: str
    closed_at: datetime
    ar_balance: ARByCurrency = Field(description="The ledger's AR per currency at the close")
    aging_snapshot: list[dict[str, Any]] = Field(
        description="The month-end aging per currency and district, as it stood at the close"
    )
    kpi_snapshot: list[dict[str, Any]] = Field(
        description="The month's KPIs per currency, as they stood at the close"
    )
    override_reason: str | None = Field(
        description="Why the supervisor closed with checklist items still open"
    )
    incomplete_items: list[str] = Field(description="The checklist items open at the close")


# GL export, trial balance and the AR pack (docs/domain.md#gl-export).


class GLBatchIn(RequestBody):
    """One of `day` or `period`: the batch takes every posting dated through it not exported
    yet."""

    day: BoundedDate | None = Field(default=None, description="A day's batch")
    period: BoundedMonth | None = Field(default=None, description="A month's batch, YYYY-MM")

    @model_validator(mode="after")
    def _one_of(self) -> "GLBatchIn":
        if (self.day is None) == (self.period is None):
            raise ValueError("give either day or period")
        return self


class GLBatchOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    number: int = Field(description="Gapless, in the order exported")
    kind: str = Field(examples=["day", "period"])
    label: str = Field(examples=["2026-11-30", "2026-11"])
    through: date = Field(description="It took every posting dated on or before this day")
    postings: int
    exported_by: str
    exported_at: datetime


class GLBatchLineOut(MoneyModel):
    currency: str
    account: str
    department: str = Field(description="The business district; empty when none")
    debit: MoneyOut
    credit: MoneyOut
    postings: int


class CurrencyTotalsOut(MoneyModel):
    currency: str
    debit: MoneyOut
    credit: MoneyOut
    balanced: bool


class GLBatchDetailOut(GLBatchOut):
    lines: list[GLBatchLineOut]
    totals: list[CurrencyTotalsOut]


class TrialBalanceRowOut(MoneyModel):
    currency: str
    account: str
    debit: MoneyOut
    credit: MoneyOut
    balance: MoneyOut = Field(description="Debit less credit")


class TieDocumentOut(MoneyModel):
    currency: str
    event_id: uuid.UUID | None
    event_type: str | None
    document_number: str | None
    document_date: date | None
    ledger: MoneyOut
    journal: MoneyOut
    difference: MoneyOut


class ARControlTieOut(MoneyModel):
    currency: str
    ledger: MoneyOut = Field(description="The ledger's AR (invoices and credit memos)")
    journal: MoneyOut = Field(description="The AR control account's debits less credits")
    difference: MoneyOut
    documents: list[TieDocumentOut] = Field(
        description="The events whose ledger AR and AR control postings differ"
    )


class TrialBalanceOut(BaseModel):
    as_of: date
    ar_control_account: str
    accounts: list[TrialBalanceRowOut]
    totals: list[CurrencyTotalsOut] = Field(description="Debits equal credits per currency")
    ar_control: list[ARControlTieOut]


class RollforwardOut(MoneyModel):
    currency: str
    period: str
    opening: MoneyOut
    invoices: MoneyOut
    supplementary_invoices: MoneyOut = Field(description="Rebills: corrected invoices")
    credit_memos: MoneyOut = Field(description="Subtracted")
    cash_applied: MoneyOut = Field(description="Subtracted, net of applications undone")
    write_offs: MoneyOut = Field(description="Subtracted")
    other_adjustments: MoneyOut = Field(description="Signed: voids, discounts, legacy settled")
    other: dict[str, MoneyOut] = Field(description="The other adjustments by entry kind")
    closing: MoneyOut = Field(description="Opening plus the movements")
    ledger: MoneyOut = Field(description="The ledger's AR at the month's end")
    journal: MoneyOut = Field(description="The AR control account at the month's end")
    ties: bool = Field(description="closing = ledger = journal, to the cent")


class ReconciliationIn(RequestBody):
    as_of: BoundedDate = Field(description="The day both systems' balances are taken as of")


class BalanceRowIn(RequestBody):
    """One open document (or a customer's balance without one) as the other system holds it;
    owed by the customer is positive, to its credit negative."""

    model_config = ConfigDict(extra="forbid")

    account_number: str = Field(min_length=1, max_length=100, examples=["C000123"])
    amount: Amount
    document: str | None = Field(default=None, max_length=100, examples=["INV-2026-000412"])
    kind: ReconciledKind | None = None
    document_date: BoundedDate | None = None


class BalancesIn(RequestBody):
    rows: list[BalanceRowIn] = Field(max_length=1_000_000)


class ReconciliationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    as_of: date
    prepared_by: str
    created_at: datetime
    sources: dict[str, dict[str, Any]] = Field(
        description="Per side imported: rows, customers, its total and the ledger's per "
        "currency, how many differences, who imported it and when"
    )
    signed_off_by: str | None
    signed_off_at: datetime | None


class DifferenceOut(MoneyModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    side: Side
    account_number: str
    customer_id: uuid.UUID | None
    currency: str | None
    klass: DifferenceClass = Field(serialization_alias="class")
    held_by: Holder = Field(description="Who has what the other lacks")
    document: str | None
    source_amount: MoneyOut
    ledger_amount: MoneyOut
    difference: MoneyOut = Field(description="The source's amount less the ledger's")
    explanation: str
    rows: list[int] = Field(description="The rows of the file it comes from")
    documents: list[str] = Field(description="The documents that explain it")
    resolution: Resolution
    resolution_note: str | None
    adjusting_document: str | None
    resolved_by: str | None
    resolved_at: datetime | None


class ImportOut(BaseModel):
    reconciliation: ReconciliationOut
    differences: list[DifferenceOut]


class ResolutionIn(RequestBody):
    resolution: Resolution = Field(examples=["escalated_to_sales"])
    note: str = Field(min_length=1, max_length=500)
    adjusting_document: str | None = Field(
        default=None, min_length=1, max_length=100, description="The document that adjusts it"
    )


class CloseIn(RequestBody):
    override_reason: str | None = Field(
        default=None,
        min_length=1,
        max_length=500,
        description="Close although checklist items are open: why (kept with the close)",
    )


class LateEntryOut(MoneyModel):
    number: str | None
    item_kind: str
    entry_kind: str
    currency: str
    amount: MoneyOut
    entry_date: date
    received_at: datetime


class PeriodReportOut(BaseModel):
    """A closed month as known at the close, and what has arrived dated in it since."""

    as_known_at_close: ClosedPeriodOut
    changed_since_close: bool = Field(
        description="Whether documents dated in the month reached the ledger after the close"
    )
    ar_balance_now: ARByCurrency = Field(
        description="The ledger's AR per currency at the month's end as known now"
    )
    arrived_since_close: list[LateEntryOut]


class ChecklistItemOut(BaseModel):
    item: str
    title: str
    computed: bool = Field(description="Whether the data decide if it is done")
    done: bool | None = Field(description="What the data say (None: only the signer can say)")
    detail: str | None = Field(description="The figures behind it")
    signed_by: str | None
    signed_at: datetime | None
    note: str | None
    complete: bool


class ChecklistOut(BaseModel):
    period: str
    complete: bool
    items: list[ChecklistItemOut]


class SignIn(RequestBody):
    note: str | None = Field(default=None, min_length=1, max_length=500)
