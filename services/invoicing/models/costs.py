"""Third-party costs: vendors, their bills and lines as coded, the bills' files, and the cost
adjustments a billable line proposes for an invoice already issued."""

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field

from services.invoicing.models.base import InvoicingTable
from shared.clock import utc_now
from shared.db import DecimalType, JSONColumn, UTCDateTime, new_id


class Vendor(InvoicingTable, table=True):
    __tablename__ = "vendors"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    name: str = Field(max_length=200, index=True)
    tax_id: str | None = Field(default=None, max_length=40)
    remit_to: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONColumn))
    default_expense_account: str | None = Field(default=None, max_length=20)
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class VendorBill(InvoicingTable, table=True):
    __tablename__ = "vendor_bills"
    # The same vendor's number twice is a duplicate: refused by the database as well.
    __table_args__ = (
        UniqueConstraint("vendor_id", "number"),
        Index("ix_vendor_bills_vendor_total", "vendor_id", "total", "bill_date"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    vendor_id: uuid.UUID = Field(foreign_key="vendors.id")
    number: str = Field(max_length=50, index=True)
    bill_date: date
    currency: str = Field(max_length=3)
    total: Decimal = Field(sa_type=DecimalType)
    status: str = Field(index=True, max_length=20)
    # Other bills of the vendor for the same amount a few days apart: reviewed before approval.
    possible_duplicates: list[str] = Field(
        default_factory=list, sa_column=Column(JSONColumn, nullable=False)
    )
    reverses: uuid.UUID | None = Field(default=None, index=True)
    reversed_by: uuid.UUID | None = None
    entry_id: uuid.UUID | None = None
    posted_on: date | None = None
    created_by: str = Field(max_length=200)
    approved_by: str | None = Field(default=None, max_length=200)
    rejected_by: str | None = Field(default=None, max_length=200)
    reject_reason: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class VendorBillLine(InvoicingTable, table=True):
    __tablename__ = "vendor_bill_lines"
    __table_args__ = (
        UniqueConstraint("bill_id", "line"),
        Index("ix_vendor_bill_lines_pass_through", "pass_through_status", "ticket_id"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    bill_id: uuid.UUID = Field(foreign_key="vendor_bills.id", index=True)
    line: int
    description: str = Field(max_length=500)
    amount: Decimal = Field(sa_type=DecimalType)
    account: str | None = Field(default=None, max_length=20)
    cost_category: str | None = Field(default=None, max_length=20)
    ticket_id: uuid.UUID | None = Field(default=None, index=True)
    job_site: str | None = Field(default=None, max_length=200)
    customer_id: uuid.UUID | None = Field(default=None, index=True)
    billable: bool = False
    # How it was coded: by a person, or automatically from a suggestion above the threshold.
    auto_coded: bool = False
    suggestion: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONColumn))
    # A billable line once posted: pending (waits for the job's invoice), billed, adjusted
    # (a cost adjustment carries it) or none.
    pass_through_status: str | None = Field(default=None, max_length=20)
    billed_amount: Decimal = Field(default=Decimal(0), sa_type=DecimalType)
    # The invoice, and its line (from 1), that billed it on: a credit for less credits that line.
    invoice_id: uuid.UUID | None = None
    invoice_line: int | None = None


class VendorBillDocument(InvoicingTable, table=True):
    __tablename__ = "vendor_bill_documents"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    bill_id: uuid.UUID = Field(foreign_key="vendor_bills.id", index=True)
    filename: str = Field(max_length=200)
    content_type: str = Field(max_length=50)
    size: int
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    uploaded_by: str = Field(max_length=200)
    uploaded_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class CostAdjustment(InvoicingTable, table=True):
    """A proposed correction of an issued invoice for a third-party cost that came in after it:
    a supplementary invoice for more, or a credit memo for less, with its arithmetic."""

    __tablename__ = "cost_adjustments"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    status: str = Field(index=True, max_length=20)
    kind: str = Field(max_length=30)
    invoice_id: uuid.UUID = Field(index=True)
    vendor_bill_id: uuid.UUID = Field(index=True)
    line_id: uuid.UUID
    customer_id: uuid.UUID = Field(index=True)
    currency: str = Field(max_length=3)
    cost: Decimal = Field(sa_type=DecimalType)
    markup: Decimal = Field(sa_type=DecimalType(19, 6))
    fee: Decimal = Field(sa_type=DecimalType)
    target: Decimal = Field(sa_type=DecimalType)
    billed: Decimal = Field(sa_type=DecimalType)
    amount: Decimal = Field(sa_type=DecimalType, description="Positive: to bill or to credit")
    arithmetic: str = Field(max_length=500)
    document_id: uuid.UUID | None = None
    issued_by: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
