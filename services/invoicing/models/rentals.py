"""Assets on rent: the asset register with every dated move or status change of an asset, the
rental contracts and their lines, and what each line's cycles were billed."""

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, Index, UniqueConstraint
from sqlmodel import Field

from services.invoicing.models.base import InvoicingTable
from shared.clock import utc_now
from shared.db import DecimalType, JSONColumn, UTCDateTime, new_id


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
    __table_args__ = (
        UniqueConstraint("asset_id", "sequence"),
        # The as-of answers: each asset's change in effect on a day, by date, then sequence.
        Index("ix_rental_asset_events_in_effect", "asset_id", "effective_on", "sequence"),
    )

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


class RentalContract(InvoicingTable, table=True):
    """A customer's rental at a job site: its cycle, timing and the fees its lines carry."""

    __tablename__ = "rental_contracts"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    contract_number: str = Field(unique=True, max_length=50)
    customer_id: uuid.UUID = Field(index=True)
    currency: str = Field(max_length=3)
    business_district: str = Field(index=True, max_length=50)
    job_site: str = Field(max_length=200)
    job_site_address: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONColumn))
    po_number: str | None = Field(default=None, max_length=50)
    sales_rep: str | None = Field(default=None, max_length=100)
    cycle: str = Field(max_length=30)
    timing: str = Field(max_length=10)
    # How a partial first cycle and the cycle it comes back inside are charged.
    proration_start: str = Field(default="rate_engine", max_length=20)
    proration_end: str = Field(default="rate_engine", max_length=20)
    damage_waiver_percent: Decimal = Field(default=Decimal(0), sa_type=DecimalType(9, 4))
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class RentalLine(InvoicingTable, table=True):
    """One asset, or a quantity of a class, on a contract, with its rates and fees."""

    __tablename__ = "rental_lines"
    __table_args__ = (UniqueConstraint("contract_id", "line_number"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    contract_id: uuid.UUID = Field(foreign_key="rental_contracts.id", index=True)
    line_number: int
    asset_id: str | None = Field(default=None, max_length=50, index=True)
    asset_class: str = Field(max_length=100)
    quantity: int = 1
    description: str = Field(max_length=500)
    daily: Decimal | None = Field(default=None, sa_type=DecimalType)
    weekly: Decimal | None = Field(default=None, sa_type=DecimalType)
    four_weeks: Decimal | None = Field(default=None, sa_type=DecimalType)
    monthly: Decimal | None = Field(default=None, sa_type=DecimalType)
    minimum: Decimal = Field(default=Decimal(0), sa_type=DecimalType)
    month_days: int = 30
    delivery_charge: Decimal = Field(default=Decimal(0), sa_type=DecimalType)
    pickup_charge: Decimal = Field(default=Decimal(0), sa_type=DecimalType)
    environmental_fee: Decimal = Field(default=Decimal(0), sa_type=DecimalType)
    # Optional meter: hours included per period and the excess rate; readings are cumulative.
    meter: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONColumn))
    meter_hours: Decimal | None = Field(default=None, sa_type=DecimalType)
    on_rent_date: date | None = Field(default=None, index=True)
    off_rent_date: date | None = None
    # Back, and billed to the end: billing runs no longer look at it.
    settled: bool = False


class RentalCharge(InvoicingTable, table=True):
    """What a line was billed for one cycle, one row per kind (rent, damage waiver, fees,
    credit). The unique key bills each line's cycle once, whatever crashes or reruns."""

    __tablename__ = "rental_charges"
    __table_args__ = (UniqueConstraint("line_id", "cycle_number", "kind"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    line_id: uuid.UUID = Field(foreign_key="rental_lines.id", index=True)
    contract_id: uuid.UUID = Field(index=True)
    customer_id: uuid.UUID = Field(index=True)
    cycle_number: int
    kind: str = Field(max_length=20)
    amount: Decimal = Field(sa_type=DecimalType)
    description: str = Field(max_length=2000)
    billed_through: date
    invoice_id: uuid.UUID | None = Field(default=None, index=True)
    credit_memo_id: uuid.UUID | None = None
    billing_run_id: uuid.UUID | None = None
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class StorageSchedule(InvoicingTable, table=True):
    """Recurring storage billed to a customer: an amount per period (per unit when units are
    given), its prices by effective date, pauses, start and end."""

    __tablename__ = "storage_schedules"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    customer_id: uuid.UUID = Field(index=True)
    currency: str = Field(max_length=3)
    business_district: str = Field(index=True, max_length=50)
    description: str = Field(max_length=500)
    job_site: str | None = Field(default=None, max_length=200)
    po_number: str | None = Field(default=None, max_length=50)
    period: str = Field(max_length=20)
    timing: str = Field(max_length=10)
    start: date
    end: date | None = None
    units: Decimal | None = Field(default=None, sa_type=DecimalType)
    # [{"effective": "2026-03-01", "amount": "450.00"}, ...] and [{"start": ..., "end": ...}]
    prices: list[dict[str, Any]] = Field(sa_column=Column(JSONColumn, nullable=False))
    pauses: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSONColumn, nullable=False)
    )
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class StorageCharge(InvoicingTable, table=True):
    """A storage period billed; the unique key bills each period once."""

    __tablename__ = "storage_charges"
    __table_args__ = (UniqueConstraint("schedule_id", "period_number"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    schedule_id: uuid.UUID = Field(foreign_key="storage_schedules.id", index=True)
    customer_id: uuid.UUID = Field(index=True)
    period_number: int
    amount: Decimal = Field(sa_type=DecimalType)
    description: str = Field(max_length=2000)
    period_start: date
    invoice_id: uuid.UUID | None = Field(default=None, index=True)
    billing_run_id: uuid.UUID | None = None
    # Credited on the schedule's end inside the period (billed ahead of the days stored).
    credited: Decimal = Field(default=Decimal(0), sa_type=DecimalType)
    credit_memo_id: uuid.UUID | None = None
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
