"""Billing runs: ready tickets grouped into draft invoices, then issued."""

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Column
from sqlmodel import Field

from services.invoicing.models.base import InvoicingTable
from shared.clock import utc_now
from shared.db import JSONColumn, UTCDateTime, new_id


class BillingRun(InvoicingTable, table=True):
    __tablename__ = "billing_runs"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    districts: list[str] = Field(sa_column=Column(JSONColumn, nullable=False))
    cut_off: date
    invoice_date: date
    dry_run: bool = False
    status: str = Field(max_length=20)
    draft_count: int = 0
    ticket_count: int = 0
    exceptions: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSONColumn, nullable=False)
    )
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    issued_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
