"""What the invoices API takes and answers."""

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.invoicing.domain.invoices import DeliveryStatus, InvoiceStatus
from shared.api.body import RequestBody
from shared.api.dates import BoundedDate, IsoDate
from shared.events.customers import PaymentTerms
from shared.events.invoicing import InvoiceLineFacts, TaxLineFacts
from shared.events.sales import JobSiteAddress, Taxability
from shared.money import (
    Amount,
    CurrencyCode,
    MoneyModel,
    MoneyOut,
    PositiveAmount,
    PositiveQuantity,
    Quantity,
    Rate,
    check_line_amount,
)


class ManualLineIn(RequestBody):
    """A charge not on a ticket; its amount is quantity × unit_price rounded to the currency."""

    description: str = Field(min_length=1, max_length=500)
    quantity: PositiveQuantity
    unit: str = Field(min_length=1, max_length=20)
    unit_price: Rate
    taxability: Taxability
    service_line: str = Field(min_length=1, max_length=50)

    @model_validator(mode="after")
    def _bounded(self) -> "ManualLineIn":
        check_line_amount(self.quantity, self.unit_price)
        return self


class InvoiceCreate(RequestBody):
    customer_id: uuid.UUID
    currency: CurrencyCode | None = Field(
        default=None, description="Must be the customer's currency"
    )
    # Its own rule refuses a date beyond the tolerance ahead, naming the last allowed day.
    invoice_date: IsoDate | None = Field(default=None, description="Today if not given")
    po_number: str | None = Field(default=None, max_length=50)
    job_site: str | None = Field(default=None, max_length=200)
    job_site_address: JobSiteAddress | None = None
    lines: list[ManualLineIn] = Field(min_length=1, max_length=500)


class InvoiceLineOut(InvoiceLineFacts):
    taxed_in: list[str] = Field(
        default_factory=list, description="Jurisdictions that tax this line"
    )


class SiteAddressOut(BaseModel):
    line1: str
    line2: str | None = None
    city: str
    county: str | None = None
    region: str
    postal_code: str
    country: str


class InvoiceOut(MoneyModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    number: str | None = Field(description="Assigned when issued", examples=["INV-2026-000123"])
    status: InvoiceStatus = Field(description="`credited`: issued, and credited in full")
    customer_id: uuid.UUID
    customer_name: str
    account_number: str
    currency: str
    invoice_date: date
    redated_from: date | None = Field(
        default=None,
        description="The invoice date asked for, when its month was closed and the invoice was "
        "dated into the first open month instead",
    )
    due_date: date | None
    discount_due_date: date | None
    discount_amount: MoneyOut | None
    terms: PaymentTerms
    business_district: str
    sales_rep: str | None
    po_number: str | None
    job_site: str | None
    job_site_address: SiteAddressOut | None = Field(
        default=None, description="Where the work was done, when all its lines share one"
    )
    special_instructions: str | None = Field(
        default=None, description="The billing profile's, as printed on the invoice"
    )
    ticket_ids: list[uuid.UUID]
    lines: list[InvoiceLineOut]
    taxes: list[TaxLineFacts]
    subtotal: MoneyOut
    tax_total: MoneyOut
    total: MoneyOut
    credited: MoneyOut
    paid: MoneyOut
    credit_on_account: MoneyOut = Field(
        description="Of what was credited, what payments keeps as on-account credit because the "
        "invoice was settled already (docs/domain.md#corrections)"
    )
    open_amount: MoneyOut = Field(description="total − (credited − credit_on_account) − paid")
    imported: bool
    rebill_of: uuid.UUID | None
    claim_for: uuid.UUID | None = Field(
        default=None,
        description="A claim: the customer the work was for; customer_id is the third-party "
        "payer that owes it",
    )
    claim_number: str | None = Field(
        default=None, description="The payer's claim, on a claim and on the rebill of its denial"
    )
    billing_run_id: uuid.UUID | None
    delivery_method: str
    delivery_status: DeliveryStatus
    delivered_at: datetime | None
    delivery_detail: str | None
    voided_on: date | None
    void_reason: str | None
    issued_at: datetime | None


class VoidIn(RequestBody):
    reason: str = Field(min_length=3, max_length=500)


class RebillIn(RequestBody):
    reason_code: str = Field(min_length=1, max_length=40, examples=["pricing_error"])
    reason: str | None = Field(default=None, max_length=1000)
    lines: list[ManualLineIn] = Field(
        min_length=1, max_length=500, description="The corrected lines"
    )
    po_number: str | None = Field(
        default=None, max_length=50, description="The original's if not given"
    )


class RebillOut(BaseModel):
    credit_memo_id: uuid.UUID
    credit_memo_number: str
    invoice: InvoiceOut = Field(description="The corrected invoice, issued")


class ImportedLineIn(RequestBody):
    description: str = Field(min_length=1, max_length=500)
    quantity: Quantity
    unit: str = Field(min_length=1, max_length=20)
    unit_price: Rate
    amount: Amount
    taxability: Taxability = Taxability.EXEMPT
    service_line: str = Field(default="legacy", min_length=1, max_length=50)


class ImportedTaxIn(RequestBody):
    jurisdiction: str = Field(min_length=1, max_length=50)
    name: str = Field(min_length=1, max_length=200)
    rate: Rate
    taxable_amount: Amount
    amount: Amount


class ImportedInvoiceIn(RequestBody):
    """An invoice already issued by the legacy system: its own number, dates and terms."""

    number: str = Field(min_length=1, max_length=50)
    customer_id: uuid.UUID
    invoice_date: BoundedDate
    due_date: BoundedDate | None = Field(default=None, description="From the terms if not given")
    terms: PaymentTerms | None = Field(default=None, description="The customer's if not given")
    po_number: str | None = Field(default=None, max_length=50)
    job_site: str | None = Field(default=None, max_length=200)
    lines: list[ImportedLineIn] = Field(min_length=1, max_length=500)
    taxes: list[ImportedTaxIn] = Field(default_factory=list)
    total: PositiveAmount = Field(description="Must equal the lines plus the taxes")
    open_balance: PositiveAmount | None = Field(
        default=None,
        description="What is still owed at go-live, at most the total (default the total)",
    )


class InvoiceImport(RequestBody):
    invoices: list[ImportedInvoiceIn] = Field(min_length=1, max_length=1000)


class ImportResult(BaseModel):
    imported: int
    invoice_ids: list[uuid.UUID]
