"""What the tickets API takes and answers."""

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from services.invoicing.domain.tickets import TicketStatus
from shared.api.body import RequestBody
from shared.events.sales import ClosedTicketLine, JobSiteAddress
from shared.money import CurrencyCode, MoneyModel, MoneyOut, NonNegativeRate


class TicketLineOut(ClosedTicketLine):
    amount: MoneyOut = Field(description="quantity × unit_price rounded half-up to the currency")


class TicketOut(MoneyModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    source_system: str
    ticket_number: str
    customer_id: uuid.UUID
    currency: str
    business_district: str
    sales_rep: str | None
    job_site: str | None
    job_site_address: JobSiteAddress | None
    po_number: str | None
    service_start: date | None
    service_end: date | None
    closed_at: datetime
    lines: list[TicketLineOut]
    amount: MoneyOut = Field(description="Sum of the line amounts, before tax")
    status: TicketStatus
    hold_reasons: list[str] = Field(description="Why it is held; empty when ready")
    released_by: str | None = Field(description="The supervisor who released a hold")
    release_reason: str | None
    invoice_id: uuid.UUID | None = Field(description="The invoice billing it, once on one")
    received_at: datetime


class TicketDocumentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: str
    filename: str
    content_type: str
    size: int
    uploaded_by: str
    uploaded_at: datetime


class HoldRelease(RequestBody):
    reason: str = Field(min_length=3, max_length=500, description="Why it may be billed anyway")


class RateCardPriceIn(RequestBody):
    customer_id: uuid.UUID | None = Field(default=None, description="None sets the standard list")
    rate_code: str = Field(min_length=1, max_length=50)
    currency: CurrencyCode
    unit_price: NonNegativeRate


class RateCardPriceOut(RateCardPriceIn):
    model_config = ConfigDict(from_attributes=True, extra="ignore")  # an answer, not a body
