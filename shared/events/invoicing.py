"""Events the invoicing service publishes on `ar.invoicing.v1`."""

import uuid
from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from shared.events.catalog import EventPayload, event
from shared.events.customers import PaymentTerms
from shared.events.journal import JournalEntry


class TicketLineFacts(BaseModel):
    kind: str = Field(examples=["labor", "equipment", "parts", "delivery", "disposal", "misc"])
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount: Decimal = Field(description="quantity × unit_price, rounded to the currency")
    taxability: str = Field(examples=["labor", "rental", "goods", "delivery", "exempt"])
    service_line: str


@event("ticket.closed", version=1, producer="invoicing")
class TicketClosed(EventPayload):
    """A service ticket closed in the sales system and received for billing."""

    ticket_id: uuid.UUID
    source_system: str
    ticket_number: str
    customer_id: uuid.UUID
    currency: str
    business_district: str
    sales_rep: str | None = None
    job_site: str | None = None
    po_number: str | None = None
    service_start: date | None = None
    service_end: date | None = None
    closed_at: datetime
    lines: list[TicketLineFacts]
    amount: Decimal = Field(
        description="Sum of line amounts before tax: the unbilled amount at risk"
    )


@event("ticket.held", version=1, producer="invoicing")
class TicketHeld(EventPayload):
    ticket_id: uuid.UUID
    ticket_number: str
    customer_id: uuid.UUID
    reasons: list[str]


class InvoiceLineFacts(BaseModel):
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount: Decimal
    taxability: str
    service_line: str
    ticket_id: uuid.UUID | None = None
    ticket_number: str | None = None


class TaxLineFacts(BaseModel):
    jurisdiction: str = Field(examples=["TX", "TX-MIDLAND-CO"])
    name: str
    rate: Decimal
    taxable_amount: Decimal
    amount: Decimal


@event("invoice.issued", version=1, producer="invoicing")
class InvoiceIssued(EventPayload):
    """An issued invoice with everything payments, collections and credit need."""

    invoice_id: uuid.UUID
    number: str
    customer_id: uuid.UUID
    currency: str
    invoice_date: date
    due_date: date
    terms: PaymentTerms
    discount_due_date: date | None = None
    discount_amount: Decimal | None = Field(
        default=None, description="Early-payment discount if paid by discount_due_date"
    )
    business_district: str
    sales_rep: str | None = None
    po_number: str | None = None
    job_site: str | None = None
    ticket_ids: list[uuid.UUID] = Field(default_factory=list)
    lines: list[InvoiceLineFacts]
    taxes: list[TaxLineFacts] = Field(default_factory=list)
    subtotal: Decimal
    tax_total: Decimal
    total: Decimal
    imported: bool = Field(
        default=False, description="Brought over from a legacy system at go-live"
    )
    rebill_of: uuid.UUID | None = Field(default=None, description="The invoice this one corrects")
    claim_for: uuid.UUID | None = Field(
        default=None,
        description=(
            "A claim billed to a third-party payer: the customer the work was for (customer_id "
            "is the payer, which owes it)"
        ),
    )
    claim_number: str | None = Field(
        default=None, description="The payer's claim, on a claim and on the rebill of its denial"
    )
    journal: JournalEntry | None = Field(
        default=None,
        description=(
            "The entry it posts; an imported invoice's is its opening balance against the "
            "conversion account (None from imports before opening balances were posted)"
        ),
    )
    open_balance: Decimal | None = Field(
        default=None,
        description="An imported invoice's balance still owed at go-live (None: the total)",
    )

    @property
    def owed(self) -> Decimal:
        """What the customer owes on it as issued: the total, or an import's open balance."""
        return self.total if self.open_balance is None else self.open_balance


@event("invoice.voided", version=1, producer="invoicing")
class InvoiceVoided(EventPayload):
    invoice_id: uuid.UUID
    number: str
    customer_id: uuid.UUID
    currency: str
    voided_on: date
    reason: str
    total: Decimal
    ticket_ids: list[uuid.UUID] = Field(
        default_factory=list, description="Tickets ready to bill again"
    )
    journal: JournalEntry


@event("credit_memo.issued", version=1, producer="invoicing")
class CreditMemoIssued(EventPayload):
    """A credit memo against an invoice: it reduces what the customer owes on that invoice."""

    credit_memo_id: uuid.UUID
    number: str
    customer_id: uuid.UUID
    currency: str
    issued_on: date
    invoice_id: uuid.UUID | None = Field(
        description="The invoice it credits; None for an on-account credit"
    )
    invoice_number: str | None = None
    reason_code: str
    reason: str | None = None
    rebill: bool = Field(default=False, description="Part of a rebill: a corrected invoice follows")
    lines: list[InvoiceLineFacts]
    taxes: list[TaxLineFacts] = Field(default_factory=list)
    subtotal: Decimal
    tax_total: Decimal
    total: Decimal = Field(description="Positive: the amount credited")
    business_district: str
    sales_rep: str | None = None
    journal: JournalEntry


class VendorBillLineFacts(BaseModel):
    """A vendor bill line as coded: the account it costs, the job it was for, billable on or not."""

    line: int
    description: str
    amount: Decimal = Field(description="Negative on a reversing bill")
    account: str
    cost_category: str = Field(examples=["labor", "trucking", "disposal", "parts", "equipment"])
    ticket_id: uuid.UUID | None = None
    job_site: str | None = None
    customer_id: uuid.UUID | None = Field(default=None, description="The job's customer")
    billable: bool = False


@event("vendor_bill.posted", version=1, producer="invoicing")
class VendorBillPosted(EventPayload):
    """A third-party (vendor) bill approved and posted: Dr expense or cost / Cr accounts payable
    (a reversing bill the other way round)."""

    vendor_bill_id: uuid.UUID
    vendor_id: uuid.UUID
    vendor_name: str
    number: str
    bill_date: date
    currency: str
    total: Decimal
    reverses: uuid.UUID | None = Field(default=None, description="The bill this one reverses")
    lines: list[VendorBillLineFacts]
    journal: JournalEntry


@event("rental.started", version=1, producer="invoicing")
class RentalStarted(EventPayload):
    """A rental contract line went on rent."""

    contract_id: uuid.UUID
    contract_number: str
    line_number: int
    customer_id: uuid.UUID
    asset_id: str | None = None
    asset_class: str
    quantity: int
    business_district: str
    job_site: str
    on_rent_date: date


@event("rental.ended", version=1, producer="invoicing")
class RentalEnded(EventPayload):
    """A rental contract line came off rent; `credit_memo_id` names the credit for rent
    billed in advance past the date, if any."""

    contract_id: uuid.UUID
    contract_number: str
    line_number: int
    customer_id: uuid.UUID
    asset_id: str | None = None
    on_rent_date: date
    off_rent_date: date
    credit_memo_id: uuid.UUID | None = None


@event("rental.accrued", version=1, producer="invoicing")
class RentalAccrued(EventPayload):
    """A customer's work done by `as_of` and not on an issued invoice yet (rent and storage
    earned, billable third-party costs posted): the whole figure, sent when it changes and
    daily; a consumer keeps the latest."""

    customer_id: uuid.UUID
    currency: str
    as_of: date
    rental_unbilled: Decimal = Field(description="Rent earned to date, not billed yet")
    storage_unbilled: Decimal = Field(description="Storage earned to date, not billed yet")
    pass_through_unbilled: Decimal = Field(
        default=Decimal(0),
        description="Cost of billable vendor-bill lines posted and not on an issued invoice yet",
    )
