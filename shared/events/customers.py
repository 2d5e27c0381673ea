"""Events the customers service publishes: the customer's full snapshot, so nobody calls back."""

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from shared.events.catalog import EventPayload, event
from shared.money import NonNegativeAmount


class CustomerStatus(StrEnum):
    PROSPECT = "prospect"
    ACTIVE = "active"
    ON_HOLD = "on_hold"
    INACTIVE = "inactive"


class TermsKind(StrEnum):
    NET = "net"
    DUE_ON_RECEIPT = "due_on_receipt"
    END_OF_MONTH = "end_of_month"


class PaymentTerms(BaseModel):
    """Net N, due on receipt, or end of month + N; optionally an early-payment discount."""

    # Also a part of request bodies, where an unknown field is refused.
    model_config = ConfigDict(extra="forbid")

    kind: TermsKind = TermsKind.NET
    days: StrictInt = Field(
        default=30, ge=0, le=365, description="N of Net N or of end of month + N"
    )
    discount_percent: Decimal | None = Field(
        default=None, gt=0, lt=100, max_digits=5, decimal_places=2, examples=["2"]
    )
    discount_days: StrictInt | None = Field(default=None, ge=0, le=365, examples=[10])


class InvoiceGrouping(StrEnum):
    PER_TICKET = "per_ticket"
    PER_PO = "per_po"
    PER_JOB_SITE = "per_job_site"
    CONSOLIDATED = "consolidated"


class DeliveryMethod(StrEnum):
    EMAIL = "email"
    MAIL = "mail"
    PORTAL = "portal"


class TicketDocumentKind(StrEnum):
    TIME_SHEET = "time_sheet"
    DELIVERY_TICKET = "delivery_ticket"
    CUSTOMER_SIGNOFF = "customer_signoff"
    PUNCH_EXCEPTION_FORM = "punch_exception_form"
    SERVICE_CONTRACT = "service_contract"
    CHANGE_ORDER_APPROVAL = "change_order_approval"


class BillingProfile(BaseModel):
    grouping: InvoiceGrouping = InvoiceGrouping.PER_TICKET
    po_required: StrictBool = False
    required_documents: list[TicketDocumentKind] = Field(default_factory=list)
    delivery_method: DeliveryMethod = DeliveryMethod.EMAIL
    special_instructions: str | None = Field(default=None, max_length=2000)
    # What a third-party cost billed on to this customer carries: cost x (1 + markup) + fee.
    pass_through_markup: Decimal = Field(default=Decimal(0), ge=0, le=10, examples=["0.15"])
    pass_through_fee: NonNegativeAmount = Decimal(0)


class AddressKind(StrEnum):
    BILL_TO = "bill_to"
    SHIP_TO = "ship_to"
    JOB_SITE = "job_site"


class Address(BaseModel):
    id: uuid.UUID
    kind: AddressKind
    label: str | None = None
    line1: str
    line2: str | None = None
    city: str
    county: str | None = None
    region: str = Field(description="State or province code")
    postal_code: str
    country: str


class Contact(BaseModel):
    id: uuid.UUID
    name: str
    email: str | None = None
    phone: str | None = None
    role: str | None = None
    receives_invoices: bool = False


class ExemptionCertificate(BaseModel):
    id: uuid.UUID
    jurisdiction: str = Field(description="Jurisdiction code the exemption applies in, e.g. TX")
    certificate_number: str
    issued_on: date | None = None
    expires_on: date | None = None
    has_document: bool = False


class OnboardingItem(BaseModel):
    item: str
    status: str
    updated_at: datetime | None = None


class CustomerSnapshot(BaseModel):
    """Everything billing, payments, collections and credit need to know about a customer."""

    id: uuid.UUID
    account_number: str
    revision: int = Field(description="Grows with every change; a consumer keeps the highest")
    legal_name: str
    dba: str | None = None
    tax_id: str | None = None
    status: CustomerStatus
    credit_hold: bool = False
    currency: str
    business_district: str
    sales_rep: str | None = None
    payment_terms: PaymentTerms
    billing_profile: BillingProfile
    addresses: list[Address] = Field(default_factory=list)
    contacts: list[Contact] = Field(default_factory=list)
    exemption_certificates: list[ExemptionCertificate] = Field(default_factory=list)
    onboarding: list[OnboardingItem] = Field(default_factory=list)


@event("customer.registered", version=1, producer="customers")
class CustomerRegistered(EventPayload):
    customer: CustomerSnapshot


@event("customer.updated", version=1, producer="customers")
class CustomerUpdated(EventPayload):
    customer: CustomerSnapshot
    changed: list[str] = Field(description="Top-level fields that changed")
