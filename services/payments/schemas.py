"""What the payments API accepts and answers."""

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

from services.payments.domain.statuses import (
    ApplicationStatus,
    InvoiceStatus,
    PaymentStatus,
    RefundStatus,
)
from shared.api.body import RequestBody
from shared.api.dates import BoundedDate
from shared.events.customers import CustomerStatus
from shared.money import (
    CurrencyCode,
    MoneyModel,
    MoneyOut,
    NonNegativeAmount,
    PositiveAmount,
    check_minor_units,
)


class PayerOut(BaseModel):
    """A customer as payments knows it: the account number and names its payments arrive under.

    A copy of the customer master (the customers service owns it).
    """

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID = Field(description="The customer's id")
    account_number: str = Field(examples=["C000123"])
    revision: int = Field(description="The customer master revision this copy reflects")
    legal_name: str
    dba: str | None = Field(description="Doing-business-as name, often the name on the check")
    status: CustomerStatus
    currency: str = Field(description="The one currency it is billed in", examples=["USD"])


class PaymentMethod(StrEnum):
    CHECK = "check"
    ACH = "ach"
    WIRE = "wire"
    CARD = "card"
    CASH = "cash"
    LOCKBOX = "lockbox"


class RemittanceLineIn(RequestBody):
    invoice_number: str | None = Field(default=None, max_length=100, examples=["INV-2026-000123"])
    amount_paid: PositiveAmount | None = None
    discount: NonNegativeAmount | None = Field(
        default=None, description="Early-payment discount taken"
    )
    reason_code: str | None = Field(
        default=None, max_length=100, description="Why it is short-paid", examples=["pricing"]
    )


class PaymentIn(RequestBody):
    customer_id: uuid.UUID | None = Field(
        default=None, description="None when the payer is not yet identified"
    )
    method: PaymentMethod
    amount: PositiveAmount
    currency: CurrencyCode
    received_on: BoundedDate
    reference: str | None = Field(
        default=None, max_length=100, description="Check number or bank reference"
    )
    payer_name: str | None = Field(default=None, max_length=200)
    payer_account: str | None = Field(
        default=None, max_length=100, description="The payer's bank account"
    )
    memo: str | None = Field(default=None, max_length=2000)
    remittance: list[RemittanceLineIn] = Field(default_factory=list, max_length=1000)
    bank_account: str | None = Field(
        default=None,
        max_length=100,
        description="The company's bank account it was deposited to (its cash account follows)",
    )
    second_payment: StrictBool = Field(
        default=False,
        description="True when a payment with the same payer, reference and amount was received "
        "before and this is another one, not the same check entered twice",
    )

    @model_validator(mode="after")
    def _in_minor_units(self) -> "PaymentIn":
        amounts = [self.amount] + [
            a
            for line in self.remittance
            for a in (line.amount_paid, line.discount)
            if a is not None
        ]
        check_minor_units(self.currency, *amounts)
        return self


class ApplicationOut(MoneyModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    payment_id: uuid.UUID | None
    deposit_id: uuid.UUID | None
    invoice_id: uuid.UUID
    invoice_number: str
    customer_id: uuid.UUID
    currency: str
    amount: MoneyOut
    discount: MoneyOut
    applied_on: date
    automatic: bool
    confidence: Decimal | None
    explanation: str | None
    reason_code: str | None
    status: str = Field(examples=list(ApplicationStatus))
    unapply_reason: str | None


class RemittanceLineOut(MoneyModel):
    model_config = ConfigDict(from_attributes=True)

    position: int
    invoice_number: str | None
    amount_paid: MoneyOut | None
    discount: MoneyOut | None
    reason_code: str | None
    matched_invoice_id: uuid.UUID | None = Field(description="None while the line waits for review")


class PaymentOut(MoneyModel):
    id: uuid.UUID
    customer_id: uuid.UUID | None
    method: str
    amount: MoneyOut
    unapplied: MoneyOut = Field(description="Credit on account, to apply later or refund")
    currency: str
    received_on: date
    redated_from: date | None = Field(
        default=None,
        description="The date it came with, when its month was closed and the payment was "
        "dated into the first open month instead",
    )
    reference: str | None
    bank_reference: str | None
    payer_name: str | None
    payer_account: str | None
    memo: str | None
    status: str = Field(examples=list(PaymentStatus))
    reversal_reason: str | None = Field(description="Why it was reversed (a return's reason)")
    bank_file_id: uuid.UUID | None
    bank_account: str | None = Field(description="The company's bank account it reached")
    remittance: list[RemittanceLineOut]
    applications: list[ApplicationOut]
    created_at: datetime


class ApplicationIn(RequestBody):
    invoice_id: uuid.UUID
    amount: PositiveAmount
    discount: NonNegativeAmount = Decimal(0)
    reason_code: str | None = Field(
        default=None, max_length=100, description="Why the rest stays open"
    )


class ApplicationsIn(RequestBody):
    applications: list[ApplicationIn] = Field(min_length=1, max_length=500)
    note: str | None = Field(default=None, max_length=500)


class ReasonIn(RequestBody):
    reason: str = Field(min_length=1, max_length=500)


class ReversalIn(ReasonIn):
    reversed_on: BoundedDate | None = Field(default=None, description="Default: today")


class SuggestionOut(MoneyModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    payment_id: uuid.UUID
    customer_id: uuid.UUID | None
    amount: MoneyOut | None = Field(description="What the payment had unapplied when proposed")
    currency: str | None
    received_on: date | None
    payer_name: str | None
    status: str
    confidence: Decimal
    explanation: str
    proposal: list[dict[str, Any]]
    unmatched_references: list[str]
    created_at: datetime
    superseded_reason: str | None = Field(
        default=None, description="Why a superseded suggestion no longer fits"
    )


class DepositIn(RequestBody):
    customer_id: uuid.UUID
    method: PaymentMethod
    amount: PositiveAmount
    currency: CurrencyCode
    received_on: BoundedDate
    reference: str | None = Field(default=None, max_length=100)
    ticket_number: str | None = Field(default=None, max_length=100)
    job_site: str | None = Field(default=None, max_length=200)
    po_number: str | None = Field(default=None, max_length=100)

    @model_validator(mode="after")
    def _tied_to_work(self) -> "DepositIn":
        if not (self.ticket_number or self.job_site or self.po_number):
            raise ValueError("a deposit is for a ticket, a job site or a PO: give at least one")
        check_minor_units(self.currency, self.amount)
        return self


class DepositOut(MoneyModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    customer_id: uuid.UUID
    method: str
    amount: MoneyOut
    remaining: MoneyOut
    currency: str
    received_on: date
    reference: str | None
    ticket_number: str | None
    job_site: str | None
    po_number: str | None


class DepositApplicationIn(RequestBody):
    invoice_id: uuid.UUID
    amount: PositiveAmount


class RefundIn(RequestBody):
    payment_id: uuid.UUID = Field(description="The payment whose unapplied credit is paid back")
    amount: PositiveAmount
    reason: str = Field(min_length=1, max_length=500)


class RefundOut(MoneyModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    payment_id: uuid.UUID
    customer_id: uuid.UUID
    amount: MoneyOut
    currency: str
    reason: str
    status: str = Field(examples=list(RefundStatus))
    requested_by: str
    decided_by: str | None
    issued_on: date | None


class WriteOffIn(RequestBody):
    invoice_id: uuid.UUID
    reason: str = Field(min_length=1, max_length=500)
    amount: PositiveAmount | None = Field(
        default=None,
        description="Part of what is open (a claim's denied part, not rebilled); omit: all of it",
    )


class WriteOffOut(MoneyModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    invoice_id: uuid.UUID
    customer_id: uuid.UUID
    currency: str
    amount: MoneyOut
    reason: str
    approved_by: str
    posted_on: date


class OpenItemOut(MoneyModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID = Field(description="The invoice's id")
    number: str
    customer_id: uuid.UUID
    currency: str
    invoice_date: date
    due_date: date
    total: MoneyOut
    balance: MoneyOut
    status: str = Field(examples=list(InvoiceStatus))
    short_pay_reason: str | None
    credit_memos: list["CreditMemoCreditOut"] = Field(
        default_factory=list,
        description="Memos against the invoice; what the invoice had no room for is on account",
    )


class CreditMemoCreditOut(MoneyModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID = Field(description="The credit memo's id")
    number: str
    total: MoneyOut
    on_account: MoneyOut = Field(description="Of the memo, the customer's on-account credit")


class FileLineProblem(BaseModel):
    line: int
    message: str


class DuplicateTransaction(BaseModel):
    line: int
    bank_reference: str
    earlier_payment_id: uuid.UUID
    earlier_bank_file_id: uuid.UUID | None


class FileReversal(BaseModel):
    line: int
    payment_id: uuid.UUID
    reason_code: str
    reason: str


class BankFileOut(BaseModel):
    id: uuid.UUID
    filename: str
    format: str
    payments: list[uuid.UUID]
    duplicates: list[DuplicateTransaction]
    errors: list[FileLineProblem]
    reversals: list[FileReversal] = Field(
        description="Payments reversed by the file's returns (NACHA addenda 99, reversal batches)"
    )


class AdviceLineOut(BaseModel):
    invoice_number: str | None = Field(description="None for a deduction of the whole payment")
    amount_paid: MoneyOut | None
    deduction: MoneyOut | None
    deduction_reason: str | None
    discount: MoneyOut | None
    source: str = Field(description="Where it was read: body line 4, remittance.xlsx row 3, ...")


class AdvicePartOut(BaseModel):
    part: str = Field(description="The body, an attachment's name, or a header")
    kind: str
    readable: bool
    lines: int
    message: str


class AdviceOut(MoneyModel):
    """A remittance advice and what became of it: waiting for its payment, used for one, or on
    the worklist (unmatched) with the reason."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    document_id: uuid.UUID
    line: int
    status: str = Field(description="waiting, used or unmatched")
    status_reason: str | None
    customer_id: uuid.UUID | None
    payer_name: str | None
    sender: str | None
    subject: str | None
    currency: str
    total: MoneyOut | None
    paid_on: date
    reference: str | None = Field(description="An 820's TRN02: the payment's trace or check no.")
    lines: list[AdviceLineOut]
    payment_id: uuid.UUID | None
    created_at: datetime


class AdviceDocumentOut(BaseModel):
    """An advice file as it was kept: what was read from each part and what was not."""

    id: uuid.UUID
    filename: str
    format: str = Field(description="email or x12_820")
    source: str
    size: int
    parts: list[AdvicePartOut]
    problems: list[FileLineProblem]
    advices: list[AdviceOut]


class AdviceUseIn(RequestBody):
    model_config = ConfigDict(extra="forbid")

    payment_id: uuid.UUID
