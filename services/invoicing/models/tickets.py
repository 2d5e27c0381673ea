"""Tickets, their documents and the rate cards their prices are checked against."""

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, LargeBinary, UniqueConstraint
from sqlmodel import Field

from services.invoicing.models.base import InvoicingTable
from shared.clock import utc_now
from shared.db import DecimalType, JSONColumn, UTCDateTime, new_id


class Ticket(InvoicingTable, table=True):
    """A closed service ticket as received for billing, with its review outcome."""

    __tablename__ = "tickets"
    __table_args__ = (UniqueConstraint("source_system", "ticket_number"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    source_system: str = Field(max_length=50)
    ticket_number: str = Field(max_length=50)
    customer_id: uuid.UUID = Field(index=True)
    currency: str = Field(max_length=3)
    business_district: str = Field(index=True, max_length=50)
    sales_rep: str | None = Field(default=None, max_length=100)
    job_site: str | None = Field(default=None, max_length=200)
    job_site_address: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONColumn))
    po_number: str | None = Field(default=None, max_length=50)
    service_start: date | None = None
    service_end: date | None = None
    closed_at: datetime = Field(sa_type=UTCDateTime, index=True)
    lines: list[dict[str, Any]] = Field(sa_column=Column(JSONColumn, nullable=False))
    amount: Decimal = Field(sa_type=DecimalType)
    status: str = Field(index=True, max_length=20)
    hold_reasons: list[str] = Field(
        default_factory=list, sa_column=Column(JSONColumn, nullable=False)
    )
    released_by: str | None = Field(default=None, max_length=200)
    release_reason: str | None = Field(default=None, max_length=500)
    # Set in the same transaction as the (draft) invoice that bills it: a ticket is on one
    # invoice at a time, so no run can bill it twice.
    invoice_id: uuid.UUID | None = Field(default=None, index=True)
    received_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class TicketDocument(InvoicingTable, table=True):
    __tablename__ = "ticket_documents"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    ticket_id: uuid.UUID = Field(foreign_key="tickets.id", index=True)
    kind: str = Field(max_length=40)
    filename: str = Field(max_length=200)
    content_type: str = Field(max_length=50)
    size: int
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    uploaded_by: str = Field(max_length=200)
    uploaded_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class RateCardPrice(InvoicingTable, table=True):
    """The agreed price of a rate code: for one customer, or the standard list (no customer)."""

    __tablename__ = "rate_card_prices"
    __table_args__ = (UniqueConstraint("customer_key", "rate_code"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    # "standard" or the customer's id as text: NULLs would not be unique.
    customer_key: str = Field(max_length=40)
    rate_code: str = Field(max_length=50)
    currency: str = Field(max_length=3)
    unit_price: Decimal = Field(sa_type=DecimalType(19, 6))
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
