"""What the credit API takes and answers."""

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from services.credit.domain.applications import ApplicationStatus
from services.credit.domain.bureau import ReportStatus
from services.credit.domain.exposure import DeclineCode
from shared.api.body import RequestBody
from shared.api.dates import BoundedDate
from shared.events.customers import CustomerStatus, OnboardingItem, PaymentTerms
from shared.money import MoneyModel, MoneyOut, NonNegativeAmount, PositiveAmount

Name = Annotated[str, Field(min_length=1, max_length=200)]
Reason = Annotated[
    str, Field(min_length=1, max_length=2000, description="Why, for the audit trail")
]


class Strict(RequestBody):
    model_config = ConfigDict(str_strip_whitespace=True)


class Answer(MoneyModel):
    model_config = ConfigDict(from_attributes=True)


class CreditAccountOut(Answer):
    """A customer as credit sees it: status and hold, billing currency, district, and how far
    its onboarding papers (credit application, W-9, signed terms...) have come."""

    id: uuid.UUID = Field(description="The customer's id")
    account_number: str = Field(examples=["C000123"])
    legal_name: str
    status: CustomerStatus
    credit_hold: bool = Field(description="Whether the customer master shows a credit hold")
    currency: str = Field(examples=["USD"])
    business_district: str = Field(examples=["permian"])
    disputed: MoneyOut = Field(description="What the customer disputes now (open disputes)")
    onboarding: list[OnboardingItem]
    revision: int = Field(description="The customer master's revision this copy reflects")
    synced_at: datetime = Field(description="When credit last took a change of this customer")


class Business(Strict):
    legal_name: Name
    years_in_business: StrictInt = Field(ge=0, le=300)
    ownership: str = Field(
        min_length=1, max_length=500, examples=["LLC; owners J. Ortiz 60%, K. Lee 40%"]
    )
    bank: str | None = Field(default=None, max_length=200, examples=["First Midland Bank"])


class TradeReferenceIn(Strict):
    name: Name
    contact: str = Field(min_length=1, max_length=200, examples=["AP desk, 432-555-0100"])


class BankReferenceIn(Strict):
    bank: Name
    contact: str = Field(min_length=1, max_length=200)
    account_since: BoundedDate | None = None


class DocumentKind(StrEnum):
    SIGNED_APPLICATION = "signed_application"
    FINANCIAL_STATEMENTS = "financial_statements"
    OTHER = "other"


class ApplicationDocument(Strict):
    kind: DocumentKind
    filename: str = Field(min_length=1, max_length=255)
    sha256: str | None = Field(default=None, pattern="^[0-9a-f]{64}$")
    received_on: BoundedDate | None = None


class ApplicationCreate(Strict):
    customer_id: uuid.UUID
    business: Business
    requested_limit: PositiveAmount
    requested_terms: PaymentTerms = Field(default_factory=PaymentTerms)
    trade_references: list[TradeReferenceIn] = Field(default_factory=list, max_length=20)
    bank_references: list[BankReferenceIn] = Field(default_factory=list, max_length=10)
    documents: list[ApplicationDocument] = Field(default_factory=list, max_length=50)


class Approval(Strict):
    credit_limit: PositiveAmount
    terms: PaymentTerms | None = Field(default=None, description="Defaults to the terms requested")
    conditions: str | None = Field(default=None, max_length=2000, examples=["personal guarantee"])
    review_on: BoundedDate | None = Field(default=None, description="Defaults to a year from today")


class Decline(Strict):
    reasons: list[Annotated[str, Field(min_length=1, max_length=500)]] = Field(min_length=1)


class ApplicationOut(Answer):
    id: uuid.UUID
    customer_id: uuid.UUID
    status: ApplicationStatus
    business: Business
    currency: str
    requested_limit: MoneyOut
    requested_terms: PaymentTerms
    trade_references: list[TradeReferenceIn]
    bank_references: list[BankReferenceIn]
    documents: list[ApplicationDocument]
    submitted_by: str
    submitted_at: datetime
    reviewer: str | None
    approved_limit: MoneyOut | None
    approved_terms: PaymentTerms | None
    conditions: str | None
    decline_reasons: list[str] | None
    decided_by: str | None
    decided_at: datetime | None


class ReferenceCheckIn(Strict):
    reference_name: Name
    contact: Name
    called_on: BoundedDate
    highest_credit: NonNegativeAmount | None = None
    terms: str | None = Field(default=None, max_length=100, examples=["net 30"])
    days_beyond_terms: StrictInt | None = Field(default=None, ge=-365, le=3650)
    comments: str | None = Field(default=None, max_length=2000)
    verified: StrictBool


class ReferenceCheckOut(Answer, ReferenceCheckIn):
    id: uuid.UUID
    application_id: uuid.UUID
    recorded_by: str
    recorded_at: datetime


class BureauReportIn(Strict):
    """A report the credit manager pulled from a bureau themself."""

    customer_id: uuid.UUID
    score: StrictInt = Field(ge=0, le=100)
    payment_index: StrictInt | None = Field(default=None, ge=0, le=100)
    derogatory_items: StrictInt = Field(default=0, ge=0)
    reported_on: BoundedDate
    reference: str | None = Field(default=None, max_length=200)
    document_name: str | None = Field(default=None, max_length=255)
    document_base64: str | None = Field(default=None, max_length=14_000_000)


class BureauPull(Strict):
    customer_id: uuid.UUID


class BureauReportOut(Answer):
    id: uuid.UUID
    customer_id: uuid.UUID
    provider: str
    status: ReportStatus
    score: int | None
    payment_index: int | None
    derogatory_items: int | None
    reported_on: date | None
    reference: str | None
    document_name: str | None
    error: str | None
    pulled_by: str
    pulled_at: datetime
    expired: bool = Field(description="Older than the configured report age, or failed")


class CreditLineIn(Strict):
    credit_limit: NonNegativeAmount
    terms: PaymentTerms
    reason: Reason
    review_on: BoundedDate | None = Field(default=None, description="Defaults to a year from today")


class CreditLineOut(Answer):
    customer_id: uuid.UUID
    currency: str
    credit_limit: MoneyOut
    terms: PaymentTerms
    review_on: date | None
    approved_by: str
    reason: str
    changed_at: datetime


class CreditLineRequestOut(Answer):
    """A limit above the second-approval threshold, waiting for another person's approval."""

    customer_id: uuid.UUID
    credit_limit: MoneyOut
    terms: PaymentTerms
    review_on: date | None
    reason: str
    requested_by: str
    requested_at: datetime


class HoldIn(Strict):
    customer_id: uuid.UUID
    reason: Reason


class ReleaseIn(Strict):
    reason: Reason


class HoldOut(Answer):
    id: uuid.UUID
    customer_id: uuid.UUID
    automatic: bool
    reasons: list[str]
    placed_by: str
    placed_at: datetime
    released_at: datetime | None
    released_by: str | None
    release_reason: str | None


class ExposureOut(MoneyModel):
    customer_id: uuid.UUID
    currency: str
    open_ar: MoneyOut = Field(description="Open invoices less unapplied cash, deposits and credits")
    disputed: MoneyOut = Field(
        description="Of open AR, what the customer disputes (open disputes): still owed, so "
        "still exposure; an invoice disputed in full is no reason for a past-due hold"
    )
    unbilled_tickets: MoneyOut = Field(description="Closed tickets not invoiced yet")
    authorized_orders: MoneyOut = Field(description="Approved authorizations not billed yet")
    rentals_accrued: MoneyOut = Field(description="Rent and storage earned, not billed yet")
    pass_through_unbilled: MoneyOut = Field(
        description="Billable third-party costs posted, at the price they will bill, not billed yet"
    )
    total: MoneyOut
    credit_limit: MoneyOut | None
    available: MoneyOut | None
    days_past_due: int = Field(description="Of the oldest open invoice")
    on_hold: bool
    hold_reasons: list[str]
    as_of: date


class AuthorizationIn(Strict):
    customer_id: uuid.UUID
    amount: PositiveAmount
    order_ref: str | None = Field(
        default=None,
        max_length=100,
        description="The order or ticket number; when a ticket of "
        "that number closes, the authorization stops counting (the ticket counts instead)",
    )


class DeclineReasonOut(MoneyModel):
    code: DeclineCode
    message: str
    amount: MoneyOut | None = Field(default=None, description="For over_limit: by how much")
    days: int | None = Field(default=None, description="For past_due: days past due")


class AuthorizationOut(MoneyModel):
    id: uuid.UUID
    customer_id: uuid.UUID
    amount: MoneyOut
    order_ref: str | None
    approved: bool
    reasons: list[DeclineReasonOut]
    exposure: MoneyOut = Field(description="Exposure before this order")
    credit_limit: MoneyOut | None
    expires_on: date


class FactorOut(BaseModel):
    name: str
    value: str
    points: int
    explanation: str


class ScoreOut(BaseModel):
    customer_id: uuid.UUID
    points: int = Field(ge=0, le=100)
    grade: str = Field(examples=["B"])
    factors: list[FactorOut] = Field(description="Every scorecard line, in scorecard order")
    moved_by: list[FactorOut] = Field(
        description="The factors that changed the score, largest first"
    )
    as_of: date


class WorkKind(StrEnum):
    REVIEW_DUE = "review_due"
    REPORT_EXPIRED = "bureau_report_expired"


class WorkItem(BaseModel):
    customer_id: uuid.UUID
    account_number: str | None
    legal_name: str | None
    kind: WorkKind
    due_on: date = Field(description="When the review is due, or when the report expired")
