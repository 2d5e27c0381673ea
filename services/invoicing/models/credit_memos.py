"""Credit memos: corrections that reduce what is owed on an invoice."""

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Column
from sqlmodel import Field

from services.invoicing.models.base import InvoicingTable
from shared.clock import utc_now
from shared.db import DecimalType, JSONColumn, UTCDateTime, new_id


class CreditMemo(InvoicingTable, table=True):
    __tablename__ = "credit_memos"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    number: str = Field(unique=True, max_length=50)
    invoice_id: uuid.UUID = Field(foreign_key="invoices.id", index=True)
    customer_id: uuid.UUID = Field(index=True)
    currency: str = Field(max_length=3)
    issued_on: date = Field(index=True)
    reason_code: str = Field(max_length=40)
    reason: str | None = Field(default=None, max_length=1000)
    rebill: bool = False
    lines: list[dict[str, Any]] = Field(sa_column=Column(JSONColumn, nullable=False))
    taxes: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSONColumn, nullable=False)
    )
    subtotal: Decimal = Field(sa_type=DecimalType)
    tax_total: Decimal = Field(sa_type=DecimalType)
    total: Decimal = Field(sa_type=DecimalType)
    approved_by: str = Field(max_length=200)
    # What payments keeps of it as on-account credit (None until payments has settled it).
    on_account: Decimal | None = Field(default=None, sa_type=DecimalType)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
