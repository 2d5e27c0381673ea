"""What the billing-runs API takes and answers."""

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from services.invoicing.domain.billing import RunStatus
from shared.api.body import RequestBody
from shared.api.dates import BoundedDate
from shared.money import MoneyModel, MoneyOut


class RunCreate(RequestBody):
    districts: list[str] = Field(min_length=1, max_length=50, examples=[["permian"]])
    cut_off: BoundedDate = Field(description="Tickets closed on or before this day")
    invoice_date: BoundedDate | None = Field(
        default=None,
        description="Today if not given; taxes use its rates. Not before the cut-off, nor more "
        "than `AR_INVOICING_MAX_FUTURE_DAYS` ahead",
    )
    dry_run: StrictBool = Field(
        default=False, description="Show the invoices it would draft; change nothing"
    )


class RunException(BaseModel):
    """A ticket, or a rental contract line (`contract/line`), the run left out, and why."""

    ticket_id: uuid.UUID | None = None
    ticket_number: str | None = None
    rental_line: str | None = Field(default=None, examples=["RC-2026-0042/1"])
    customer_id: uuid.UUID
    reason: str
    reasons: list[str] = Field(
        default_factory=list, description="A held ticket's hold reasons, each on its own"
    )


class DraftSummary(MoneyModel):
    invoice_id: uuid.UUID | None = Field(description="None in a dry run")
    customer_id: uuid.UUID
    account_number: str
    special_instructions: str | None = Field(
        default=None, description="The billing profile's, for the reviewer; printed on the invoice"
    )
    group: str = Field(examples=["po:PO-77"], description="The billing profile's grouping key")
    ticket_numbers: list[str]
    rental_lines: list[str] = Field(
        default_factory=list, description="Rental contract lines billed (`contract/line`)"
    )
    subtotal: MoneyOut
    tax_total: MoneyOut
    total: MoneyOut


class BillingRunOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    districts: list[str]
    cut_off: date
    invoice_date: date
    dry_run: bool
    status: RunStatus
    ticket_count: int = Field(description="Tickets put on draft invoices")
    draft_count: int = Field(description="Invoices drafted")
    issued_count: int = Field(default=0, description="Of those, issued so far")
    exceptions: list[RunException] = Field(
        description="Tickets of its districts closed by the cut-off that it left out, and why: "
        "held (missing document, price deviation, credit hold...) or not billable"
    )
    drafts: list[DraftSummary] | None = Field(
        default=None, description="The proposal, in a dry run"
    )
    created_by: str
    created_at: datetime
    issued_at: datetime | None
