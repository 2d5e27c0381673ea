"""The asset register's request and response models."""

import uuid
from datetime import date

from pydantic import BaseModel, Field

from services.invoicing.domain.rentals.assets import AssetStatus
from shared.api.body import RequestBody
from shared.api.dates import BoundedDate

AssetId = Field(min_length=1, max_length=50, pattern=r"^[A-Za-z0-9_.-]+$", examples=["FT500-0042"])


class AssetIn(RequestBody):
    asset_id: str = AssetId
    serial: str | None = Field(default=None, max_length=100)
    asset_class: str = Field(min_length=1, max_length=100, examples=["frac tank 500 bbl"])
    description: str = Field(default="", max_length=500)
    owning_district: str = Field(min_length=1, max_length=50)
    status: AssetStatus = AssetStatus.AVAILABLE
    registered_on: BoundedDate | None = Field(default=None, description="Today when left out")


class AssetMoveIn(RequestBody):
    """A move or status change from `effective_on` on; the district stays when left out."""

    status: AssetStatus
    effective_on: BoundedDate | None = Field(default=None, description="Today when left out")
    district: str | None = Field(default=None, min_length=1, max_length=50)
    customer_id: uuid.UUID | None = None
    job_site: str | None = Field(default=None, min_length=1, max_length=200)
    note: str | None = Field(default=None, max_length=500)


class AssetPlaceOut(BaseModel):
    asset_id: str
    asset_class: str
    description: str
    owning_district: str
    status: AssetStatus
    since: date
    district: str
    customer_id: uuid.UUID | None
    job_site: str | None
    contract_id: uuid.UUID | None


class AssetOut(BaseModel):
    asset_id: str
    serial: str | None
    asset_class: str
    description: str
    owning_district: str
    registered_on: date
    place: AssetPlaceOut | None = Field(description="As of the date asked, none before it existed")


class AssetEventOut(BaseModel):
    sequence: int
    effective_on: date
    status: AssetStatus
    district: str
    customer_id: uuid.UUID | None
    job_site: str | None
    contract_id: uuid.UUID | None
    note: str | None
    recorded_by: str


class AssetImportResult(BaseModel):
    imported: int
    asset_ids: list[str]
