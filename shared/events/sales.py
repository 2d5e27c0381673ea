"""Events the sales/ops system publishes on `ar.sales.v1` for the platform to consume.

The sales system is not one of our services, but its closed tickets arrive on this documented
topic as an alternative to `POST /v1/tickets`; both paths take the same payload and validation.
"""

import uuid
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
