"""Rental contracts: what the API takes and answers."""

import uuid
from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field, StrictInt, model_validator

from services.invoicing.domain.rentals.cycles import Cycle, ProrationChoice, Timing
from shared.api.body import RequestBody
from shared.api.dates import BoundedDate
from shared.events.sales import JobSiteAddress
from shared.money import CurrencyCode, MoneyModel, MoneyOut, NonNegativeAmount, PositiveAmount

Percent = Field(default=Decimal(0), ge=0, le=100, max_digits=7, decimal_places=4)


class MeterIn(RequestBody):
    """Hours each billed period includes, and the rate per hour beyond them."""

    excess_rate: PositiveAmount
    per_day: Decimal = Field(default=Decimal(0), ge=0, le=24)
    per_week: Decimal = Field(default=Decimal(0), ge=0, le=168)
    per_four_weeks: Decimal = Field(default=Decimal(0), ge=0, le=672)
    per_month: Decimal = Field(default=Decimal(0), ge=0, le=744)


class RentalLineIn(RequestBody):
    """One asset (`asset_id`), or a quantity of a class, with its rates; at least one rate."""

    asset_id: str | None = Field(default=None, min_length=1, max_length=50)
    asset_class: str | None = Field(
        default=None, min_length=1, max_length=100, description="The asset's own when left out"
    )
    quantity: StrictInt = Field(default=1, ge=1, le=10000)
    description: str | None = Field(default=None, max_length=500)
    daily: PositiveAmount | None = None
    weekly: PositiveAmount | None = None
    four_weeks: PositiveAmount | None = None
    monthly: PositiveAmount | None = None
    minimum: NonNegativeAmount = Decimal(0)
    month_days: StrictInt = Field(default=30, ge=28, le=31)
    delivery_charge: NonNegativeAmount = Decimal(0)
    pickup_charge: NonNegativeAmount = Decimal(0)
    environmental_fee: NonNegativeAmount = Field(default=Decimal(0), description="Per cycle")
    meter: MeterIn | None = None

    @model_validator(mode="after")
    def _what_is_rented(self) -> "RentalLineIn":
        if self.asset_id is None and self.asset_class is None:
            raise ValueError("name the asset_id or the asset_class rented")
        if self.asset_id is not None and self.quantity != 1:
            raise ValueError("a line for one asset has quantity 1")
        if not any((self.daily, self.weekly, self.four_weeks, self.monthly)):
            raise ValueError("give at least one of daily, weekly, four_weeks, monthly")
        return self


class RentalContractIn(RequestBody):
    contract_number: str = Field(
        min_length=1, max_length=50, pattern=r"^[A-Za-z0-9_.-]+$", examples=["RC-2026-0042"]
    )
    customer_id: uuid.UUID
    currency: CurrencyCode | None = Field(default=None, description="The customer's when left out")
    business_district: str = Field(min_length=1, max_length=50)
    job_site: str = Field(min_length=1, max_length=200)
    job_site_address: JobSiteAddress | None = Field(
        default=None, description="Else the customer's job-site address of that name (for tax)"
    )
    po_number: str | None = Field(default=None, max_length=50)
    sales_rep: str | None = Field(default=None, max_length=100)
    cycle: Cycle = Cycle.TWENTY_EIGHT_DAY
    timing: Timing = Timing.ARREARS
    proration_start: ProrationChoice = Field(
        default=ProrationChoice.RATE_ENGINE,
        description="A partial first calendar month: `rate_engine` (its days, with the rest of"
        " the span), `prorated` (the month's charge × days used ÷ its days) or `full_cycle`."
        " Other cycles start on the on-rent date and take only `rate_engine`",
    )
    proration_end: ProrationChoice = Field(
        default=ProrationChoice.RATE_ENGINE,
        description="The cycle the line comes back inside: `rate_engine` (its days),"
        " `prorated` (the cycle's charge × days used ÷ its days) or `full_cycle`",
    )
    damage_waiver_percent: Decimal = Percent
    lines: list[RentalLineIn] = Field(min_length=1, max_length=500)


class OnRentIn(RequestBody):
    on: BoundedDate = Field(description="The on-rent date")


class OffRentIn(RequestBody):
    on: BoundedDate = Field(description="The off-rent date: the day it came back is not charged")
    meter_hours: Decimal | None = Field(default=None, ge=0, max_digits=12, decimal_places=2)


class MeterReadingIn(RequestBody):
    read_on: BoundedDate = Field(description="The day the meter was read")
    hours: Decimal = Field(
        ge=0, max_digits=12, decimal_places=2, description="Hours on the meter since on-rent"
    )


class RentalChargeOut(MoneyModel):
    cycle_number: int
    kind: str
    amount: MoneyOut
    description: str
    billed_through: date
    invoice_id: uuid.UUID | None
    credit_memo_id: uuid.UUID | None


class RentalLineOut(MoneyModel):
    id: uuid.UUID
    line_number: int
    asset_id: str | None
    asset_class: str
    quantity: int
    description: str
    on_rent_date: date | None
    off_rent_date: date | None
    billed: MoneyOut = Field(description="Rent billed less rent credited")
    accrued_unbilled: MoneyOut = Field(description="Rent earned to today not billed yet")
    charges: list[RentalChargeOut]


class RentalContractOut(BaseModel):
    id: uuid.UUID
    contract_number: str
    customer_id: uuid.UUID
    currency: str
    business_district: str
    job_site: str
    po_number: str | None
    cycle: Cycle
    timing: Timing
    proration_start: ProrationChoice
    proration_end: ProrationChoice
    damage_waiver_percent: Decimal
    lines: list[RentalLineOut]
