"""Assets on rent: the asset register and every dated move or status change of an asset."""

import uuid
from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field

from services.invoicing.models.base import InvoicingTable
from shared.clock import utc_now
from shared.db import UTCDateTime, new_id


class RentalAsset(InvoicingTable, table=True):
    """A rentable asset; where it is and in what state lives in its events."""

    __tablename__ = "rental_assets"

    asset_id: str = Field(primary_key=True, max_length=50)
    serial: str | None = Field(default=None, max_length=100)
    asset_class: str = Field(index=True, max_length=100)
    description: str = Field(default="", max_length=500)
    owning_district: str = Field(index=True, max_length=50)
    registered_on: date
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class AssetEvent(InvoicingTable, table=True):
    """An asset's status and place from `effective_on` until its next event: kept for ever, so
    the register answers where it was on any day."""

    __tablename__ = "rental_asset_events"
    __table_args__ = (UniqueConstraint("asset_id", "sequence"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    asset_id: str = Field(foreign_key="rental_assets.asset_id", index=True, max_length=50)
    # Recording order within the asset: several changes may share a day.
    sequence: int
    effective_on: date = Field(index=True)
    status: str = Field(max_length=20)
    district: str = Field(max_length=50)
    customer_id: uuid.UUID | None = Field(default=None, index=True)
    job_site: str | None = Field(default=None, max_length=200)
    contract_id: uuid.UUID | None = Field(default=None)
    note: str | None = Field(default=None, max_length=500)
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
