"""Recurring storage schedules: what the API takes and answers."""

import uuid
from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field, model_validator

from services.invoicing.domain.rentals.cycles import Timing
from services.invoicing.domain.rentals.storage import StoragePeriod
from shared.api.body import RequestBody
from shared.api.dates import BoundedDate
from shared.money import CurrencyCode, MoneyModel, MoneyOut, NonNegativeAmount


class PriceIn(RequestBody):
    effective: BoundedDate
    amount: NonNegativeAmount = Field(description="Per period; per unit when units are given")


class StorageScheduleIn(RequestBody):
    customer_id: uuid.UUID
    currency: CurrencyCode | None = Field(default=None, description="The customer's when left out")
    business_district: str = Field(min_length=1, max_length=50)
    description: str = Field(min_length=1, max_length=500, examples=["Yard storage, 2 trailers"])
    job_site: str | None = Field(default=None, max_length=200)
    po_number: str | None = Field(default=None, max_length=50)
    period: StoragePeriod = StoragePeriod.CALENDAR_MONTH
    timing: Timing = Timing.ADVANCE
    start: BoundedDate
    end: BoundedDate | None = None
    units: Decimal | None = Field(default=None, gt=0, max_digits=12, decimal_places=2)
    price: NonNegativeAmount

    @model_validator(mode="after")
    def _ends_after_start(self) -> "StorageScheduleIn":
        if self.end is not None and self.end <= self.start:
            raise ValueError("end must be after start")
        return self


class PauseIn(RequestBody):
    on: BoundedDate


class EndIn(RequestBody):
    on: BoundedDate = Field(description="The day it left: not charged")


class StorageChargeOut(MoneyModel):
    period_number: int
    period_start: date
    amount: MoneyOut
    description: str
    invoice_id: uuid.UUID | None
    credited: MoneyOut = Field(description="Credited when the schedule ended inside the period")
    credit_memo_id: uuid.UUID | None


class StorageScheduleOut(BaseModel):
    id: uuid.UUID
    customer_id: uuid.UUID
    currency: str
    business_district: str
    description: str
    period: StoragePeriod
    timing: Timing
    start: date
    end: date | None
    units: Decimal | None
    prices: list[PriceIn]
    pauses: list[dict[str, date | None]]
    charges: list[StorageChargeOut]
