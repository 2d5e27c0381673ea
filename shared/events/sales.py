"""Events the sales/ops system publishes on `ar.sales.v1` for the platform to consume.

The sales system is not one of our services, but its closed tickets arrive on this documented
topic as an alternative to `POST /v1/tickets`; both paths take the same payload and validation.
"""

import uuid
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

from shared.api.dates import BoundedDate, BoundedDateTime
from shared.events.catalog import EventPayload, event
from shared.money import CurrencyCode, PositiveQuantity, Rate, check_line_amount


class TicketLineKind(StrEnum):
    LABOR = "labor"
    EQUIPMENT = "equipment"
    PARTS = "parts"
    DELIVERY = "delivery"
    TRUCKING = "trucking"
    DISPOSAL = "disposal"
    MISC = "misc"


class Taxability(StrEnum):
    """The tax class of a line; each jurisdiction says which classes it taxes."""

    LABOR = "labor"
    RENTAL = "rental"
    GOODS = "goods"
    DELIVERY = "delivery"
    EXEMPT = "exempt"


class ClosedTicketLine(BaseModel):
    # Like the ticket it is part of (an event and a request body): no unknown fields.
    model_config = ConfigDict(extra="forbid")

    kind: TicketLineKind
    description: str = Field(min_length=1, max_length=500)
    quantity: PositiveQuantity
    unit: str = Field(min_length=1, max_length=20, examples=["hr", "ea", "day", "mi"])
    unit_price: Rate = Field(description="Price per unit in the ticket's currency; required")
    rate_code: str | None = Field(
        default=None, max_length=50, description="Rate-card code the price comes from"
    )
    taxability: Taxability
    service_line: str = Field(
        min_length=1, max_length=50, description="Maps to a revenue account", examples=["pumping"]
    )
    change_order: StrictBool = Field(
        default=False, description="Work added by a change order (needs its approval)"
    )

    @model_validator(mode="after")
    def _bounded(self) -> "ClosedTicketLine":
        check_line_amount(self.quantity, self.unit_price)
        return self


class JobSiteAddress(BaseModel):
    model_config = ConfigDict(extra="forbid")

    line1: str = Field(min_length=1, max_length=200)
    city: str = Field(min_length=1, max_length=100)
    county: str | None = Field(default=None, max_length=100)
    region: str = Field(min_length=1, max_length=10, description="State or province code")
    postal_code: str = Field(min_length=1, max_length=20)
    country: str = Field(default="US", min_length=2, max_length=2)


@event("sales.ticket_closed", version=1, producer="sales")
class SalesTicketClosed(EventPayload):
    """A service ticket closed in the sales/ops system, sent for billing (idempotent on
    source system and ticket number)."""

    source_system: str = Field(min_length=1, max_length=50, examples=["fieldops"])
    ticket_number: str = Field(min_length=1, max_length=50, examples=["T-100234"])
    customer_id: uuid.UUID
    currency: CurrencyCode | None = Field(
        default=None, description="Must be the customer's billing currency"
    )
    business_district: str = Field(min_length=1, max_length=50)
    sales_rep: str | None = Field(default=None, max_length=100)
    job_site: str | None = Field(
        default=None,
        max_length=200,
        description="Job/site name, e.g. the customer's job-site label",
    )
    job_site_address: JobSiteAddress | None = Field(
        default=None,
        description="Where the work was done; else the customer's job-site address of that name",
    )
    po_number: str | None = Field(default=None, max_length=50)
    service_start: BoundedDate | None = None
    service_end: BoundedDate | None = None
    closed_at: BoundedDateTime
    lines: list[ClosedTicketLine] = Field(min_length=1, max_length=500)

    @model_validator(mode="after")
    def _dates_in_order(self) -> "SalesTicketClosed":
        if self.service_start and self.service_end and self.service_end < self.service_start:
            raise ValueError("service_end is before service_start")
        if self.closed_at.tzinfo is None:
            raise ValueError("closed_at must carry a timezone")
        return self


@event("sales.rental_started", version=1, producer="sales")
class SalesRentalStarted(EventPayload):
    """A rental contract line went on rent in the sales/ops system (the same validation as
    `POST /v1/rental-contracts/{id}/lines/{n}/on-rent`; a repeat of the same date is a no-op)."""

    contract_number: str = Field(min_length=1, max_length=50, examples=["RC-2026-0042"])
    line_number: int = Field(ge=1)
    customer_id: uuid.UUID
    asset_id: str | None = Field(
        default=None, max_length=50, description="Must be the line's asset when given"
    )
    on_rent_date: BoundedDate


@event("sales.rental_ended", version=1, producer="sales")
class SalesRentalEnded(EventPayload):
    """A rental contract line came off rent (the day it came back is not charged)."""

    contract_number: str = Field(min_length=1, max_length=50, examples=["RC-2026-0042"])
    line_number: int = Field(ge=1)
    customer_id: uuid.UUID
    off_rent_date: BoundedDate
    meter_hours: Decimal | None = Field(
        default=None, ge=0, max_digits=12, decimal_places=2, description="Meter reading to date"
    )


class AssetMoveStatus(StrEnum):
    AVAILABLE = "available"
    IN_TRANSIT = "in_transit"
    IN_REPAIR = "in_repair"
    RETIRED = "retired"


@event("sales.asset_moved", version=1, producer="sales")
class SalesAssetMoved(EventPayload):
    """An asset moved or changed state outside a rental (yard to yard, to repair, retired); on
    and off rent come as `sales.rental_started` and `sales.rental_ended`."""

    asset_id: str = Field(min_length=1, max_length=50)
    status: AssetMoveStatus
    effective_on: BoundedDate
    district: str | None = Field(default=None, min_length=1, max_length=50)
    note: str | None = Field(default=None, max_length=500)
