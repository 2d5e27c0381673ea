"""The journal: every entry invoicing posted, as it travelled in its event."""

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Column
from sqlmodel import Field

from services.invoicing.models.base import InvoicingTable
from shared.clock import utc_now
from shared.db import JSONColumn, UTCDateTime


class JournalRecord(InvoicingTable, table=True):
    __tablename__ = "journal_entries"

    entry_id: uuid.UUID = Field(primary_key=True)
    posted_on: date = Field(index=True)
    source: str = Field(max_length=40)
    document_id: uuid.UUID = Field(index=True)
    document_number: str | None = Field(default=None, max_length=50)
    currency: str = Field(max_length=3)
    entry: dict[str, Any] = Field(sa_column=Column(JSONColumn, nullable=False))
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
