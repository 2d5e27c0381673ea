"""Invoices: drafts, issued, voided and imported."""

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, Index
from sqlmodel import Field

from services.invoicing.models.base import InvoicingTable
from shared.clock import utc_now
from shared.db import DecimalType, JSONColumn, UTCDateTime, new_id


class Invoice(InvoicingTable, table=True):
    __tablename__ = "invoices"
    # A run issues its drafts a batch at a time in this order: each batch reads only its own.
    __table_args__ = (
        Index("ix_invoices_run_queue", "billing_run_id", "status", "account_number", "id"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    number: str | None = Field(default=None, unique=True, max_length=50)
    status: str = Field(index=True, max_length=20)
    customer_id: uuid.UUID = Field(index=True)
    customer_name: str = Field(max_length=200)
    account_number: str = Field(max_length=20)
    currency: str = Field(max_length=3)
    invoice_date: date = Field(index=True)
    # The date asked for, when its month was closed and the setting moved the invoice into the
    # first open month (AR_INVOICING_CLOSED_MONTH_POLICY).
    redated_from: date | None = None
    due_date: date | None = None
    discount_due_date: date | None = None
    discount_amount: Decimal | None = Field(default=None, sa_type=DecimalType)
    terms: dict[str, Any] = Field(sa_column=Column(JSONColumn, nullable=False))
    business_district: str = Field(index=True, max_length=50)
    sales_rep: str | None = Field(default=None, max_length=100)
    po_number: str | None = Field(default=None, max_length=50)
    job_site: str | None = Field(default=None, max_length=200)
    # Where the work was done, printed under the job site's name (none when the lines differ).
    job_site_address: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONColumn))
    # The billing profile's instructions when drafted: shown on the invoice and in the review.
    special_instructions: str | None = Field(default=None, max_length=2000)
    bill_to: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONColumn))
    ticket_ids: list[str] = Field(
        default_factory=list, sa_column=Column(JSONColumn, nullable=False)
    )
    lines: list[dict[str, Any]] = Field(sa_column=Column(JSONColumn, nullable=False))
    taxes: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSONColumn, nullable=False)
    )
    subtotal: Decimal = Field(sa_type=DecimalType)
    tax_total: Decimal = Field(sa_type=DecimalType)
    total: Decimal = Field(sa_type=DecimalType)
    # What reduced it since: credit memos issued here, payments and write-offs from payments.
    credited: Decimal = Field(default=Decimal(0), sa_type=DecimalType)
    paid: Decimal = Field(default=Decimal(0), sa_type=DecimalType)
    # What payments kept of its memos as the customer's on-account credit, not settling it.
    credit_on_account: Decimal = Field(default=Decimal(0), sa_type=DecimalType)
    imported: bool = False
    rebill_of: uuid.UUID | None = None
    # A claim: billed to (and owed by) the third-party payer in customer_id, for the work done
    # for this customer (docs/domain.md#claims-billed-to-a-third-party).
    claim_for: uuid.UUID | None = Field(default=None, index=True)
    claim_number: str | None = Field(default=None, max_length=50)
    billing_run_id: uuid.UUID | None = Field(default=None, index=True)
    delivery_method: str = Field(default="email", max_length=20)
    delivery_status: str = Field(default="not_sent", max_length=20)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    delivery_detail: str | None = Field(default=None, max_length=1000)
    voided_on: date | None = None
    void_reason: str | None = Field(default=None, max_length=500)
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    issued_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
