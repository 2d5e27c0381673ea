"""What the vendors, vendor-bills and cost-adjustments API takes and answers."""

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool

from services.invoicing.domain.costs import (
    AdjustmentKind,
    AdjustmentStatus,
    BillStatus,
    CostCategory,
)
from shared.api.body import RequestBody
from shared.api.dates import BoundedDate
from shared.money import Amount, CurrencyCode, MoneyModel, MoneyOut, PositiveAmount


class RemitTo(RequestBody):
    line1: str = Field(min_length=1, max_length=200)
    line2: str | None = Field(default=None, max_length=200)
    city: str = Field(min_length=1, max_length=100)
    region: str = Field(min_length=1, max_length=50)
    postal_code: str = Field(min_length=1, max_length=20)
    country: str = Field(min_length=2, max_length=2, examples=["US"])


class VendorIn(RequestBody):
    name: str = Field(min_length=1, max_length=200, examples=["Basin Hauling LLC"])
    tax_id: str | None = Field(default=None, max_length=40, examples=["75-1234567"])
    remit_to: RemitTo | None = None
    default_expense_account: str | None = Field(default=None, max_length=20, examples=["5200"])


class VendorOut(VendorIn):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    created_at: datetime


class BillLineIn(RequestBody):
    description: str = Field(min_length=1, max_length=500, examples=["Vac truck haul T-1042"])
    amount: Amount = Field(description="Negative only for a discount or credit on the bill")
    account: str | None = Field(default=None, max_length=20, description="Omit to be suggested")
    cost_category: CostCategory | None = None
    ticket_number: str | None = Field(
        default=None, max_length=50, description="The job: a ticket, by its number"
    )
    job_site: str | None = Field(
        default=None, max_length=200, description="Or the job: a job site of `customer_id`"
    )
    customer_id: uuid.UUID | None = None
    billable: StrictBool = Field(default=False, description="Billed on to the customer with markup")


class BillIn(RequestBody):
    vendor_id: uuid.UUID
    number: str = Field(min_length=1, max_length=50, description="The vendor's own bill number")
    bill_date: BoundedDate
    currency: CurrencyCode
    total: PositiveAmount
    lines: list[BillLineIn] = Field(min_length=1, max_length=500)


class LineCodingIn(RequestBody):
    account: str = Field(min_length=1, max_length=20)
    cost_category: CostCategory
    ticket_number: str | None = Field(default=None, max_length=50)
    job_site: str | None = Field(default=None, max_length=200)
    customer_id: uuid.UUID | None = None
    billable: StrictBool = False


class SuggestionOut(BaseModel):
    account: str | None
    cost_category: str | None
    ticket_number: str | None
    confidence: float = Field(description="0 to 1; at or above the threshold it coded the line")
    explanation: str


class BillLineOut(MoneyModel):
    model_config = ConfigDict(from_attributes=True)

    line: int
    description: str
    amount: MoneyOut
    account: str | None
    cost_category: str | None
    ticket_id: uuid.UUID | None
    job_site: str | None
    customer_id: uuid.UUID | None
    billable: bool
    auto_coded: bool
    suggestion: SuggestionOut | None
    pass_through_status: str | None
    billed_amount: MoneyOut
    invoice_id: uuid.UUID | None


class BillOut(MoneyModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    vendor_id: uuid.UUID
    number: str
    bill_date: date
    currency: str
    total: MoneyOut
    status: BillStatus
    possible_duplicates: list[uuid.UUID] = Field(
        description="Other bills of the vendor for the same amount a few days apart"
    )
    uncoded_lines: list[int] = Field(description="Lines (from 1) still to code before approval")
    reverses: uuid.UUID | None
    reversed_by: uuid.UUID | None
    entry_id: uuid.UUID | None
    posted_on: date | None
    created_by: str
    approved_by: str | None
    rejected_by: str | None
    reject_reason: str | None
    created_at: datetime
    lines: list[BillLineOut]


class ApproveIn(RequestBody):
    duplicate_reviewed: StrictBool = Field(
        default=False, description="Required when the bill is flagged as a possible duplicate"
    )


class RejectIn(RequestBody):
    reason: str = Field(min_length=3, max_length=500)


class ImportOut(BaseModel):
    imported: int
    lines: int
    auto_coded: int
    bill_ids: list[uuid.UUID]


class DocumentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    filename: str
    content_type: str
    size: int
    uploaded_by: str
    uploaded_at: datetime


class CostAdjustmentOut(MoneyModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    status: AdjustmentStatus
    kind: AdjustmentKind
    invoice_id: uuid.UUID = Field(description="The invoice issued before the cost came in")
    vendor_bill_id: uuid.UUID
    customer_id: uuid.UUID
    currency: str
    cost: MoneyOut
    markup: Decimal
    fee: MoneyOut
    target: MoneyOut = Field(description="What the cost bills at: cost x (1 + markup) + fee")
    billed: MoneyOut = Field(description="What was billed for it so far")
    amount: MoneyOut = Field(description="To bill (supplementary invoice) or to credit")
    arithmetic: str
    document_id: uuid.UUID | None = Field(description="The invoice or credit memo once issued")
    issued_by: str | None
    created_at: datetime


def _blank_is_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


class ImportRow(BaseModel):
    """One row of a vendor-bill import: a line, with its bill's fields repeated on each row."""

    model_config = ConfigDict(str_strip_whitespace=True)

    vendor: str = Field(min_length=1, max_length=200, description="The vendor's id or its name")
    bill_number: str = Field(min_length=1, max_length=50)
    bill_date: date
    currency: CurrencyCode
    bill_total: PositiveAmount
    description: str = Field(min_length=1, max_length=500)
    amount: Amount
    account: Annotated[str | None, BeforeValidator(_blank_is_none)] = Field(
        default=None, max_length=20
    )
    cost_category: Annotated[CostCategory | None, BeforeValidator(_blank_is_none)] = None
    ticket_number: Annotated[str | None, BeforeValidator(_blank_is_none)] = Field(
        default=None, max_length=50
    )
    job_site: Annotated[str | None, BeforeValidator(_blank_is_none)] = Field(
        default=None, max_length=200
    )
    customer_id: Annotated[uuid.UUID | None, BeforeValidator(_blank_is_none)] = None
    billable: Annotated[bool, BeforeValidator(lambda v: _blank_is_none(v) or False)] = False


class MarginRowOut(MoneyModel):
    key: list[str] = Field(description="The group: period, then district and ticket or job site")
    currency: str
    tickets: int
    revenue: MoneyOut = Field(description="Invoiced less credited on the jobs' lines")
    cost: MoneyOut = Field(description="Third-party cost coded to the jobs")
    unbilled_pass_through: MoneyOut = Field(description="Billable cost not yet billed")
    margin: MoneyOut = Field(description="Revenue less cost")
