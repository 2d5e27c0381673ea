"""What the customers API takes and answers."""

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, field_validator

from services.customers.domain import DocumentKind, OnboardingStatus, normalise_ein
from shared.events.customers import (
    AddressKind,
    BillingProfile,
    CustomerSnapshot,
    CustomerStatus,
    PaymentTerms,
)
from shared.money import CurrencyCode

Text200 = Field(min_length=1, max_length=200)
EIN = Annotated[
    str, AfterValidator(normalise_ein), Field(description="US EIN", examples=["12-3456789"])
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class AddressIn(Strict):
    kind: AddressKind
    label: str | None = Field(default=None, max_length=200, examples=["Permian yard 4"])
    line1: str = Text200
    line2: str | None = Field(default=None, max_length=200)
    city: str = Field(min_length=1, max_length=100)
    county: str | None = Field(default=None, max_length=100)
    region: str = Field(min_length=2, max_length=50, examples=["TX"])
    postal_code: str = Field(min_length=3, max_length=20, examples=["79701"])
    country: str = Field(default="US", pattern="^[A-Z]{2}$")


class AddressPatch(Strict):
    kind: AddressKind | None = None
    label: str | None = Field(default=None, max_length=200)
    line1: str | None = Field(default=None, min_length=1, max_length=200)
    line2: str | None = Field(default=None, max_length=200)
    city: str | None = Field(default=None, min_length=1, max_length=100)
    county: str | None = Field(default=None, max_length=100)
    region: str | None = Field(default=None, min_length=2, max_length=50)
    postal_code: str | None = Field(default=None, min_length=3, max_length=20)
    country: str | None = Field(default=None, pattern="^[A-Z]{2}$")
    reason: str | None = Field(default=None, max_length=500)


class ContactIn(Strict):
    name: str = Text200
    email: EmailStr | None = None
    phone: str | None = Field(default=None, max_length=40)
    role: str | None = Field(default=None, max_length=100, examples=["Accounts payable"])
    receives_invoices: bool = False


class ContactPatch(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    email: EmailStr | None = None
    phone: str | None = Field(default=None, max_length=40)
    role: str | None = Field(default=None, max_length=100)
    receives_invoices: bool | None = None
    reason: str | None = Field(default=None, max_length=500)


class CustomerCreate(Strict):
    legal_name: str = Field(min_length=1, max_length=200, examples=["Permian Basin Services LLC"])
    dba: str | None = Field(default=None, max_length=200)
    tax_id: EIN | None = None
    external_ref: str | None = Field(
        default=None, max_length=100, description="The customer's id in the sales system"
    )
    status: CustomerStatus = CustomerStatus.PROSPECT
    currency: CurrencyCode = "USD"
    business_district: str = Field(min_length=1, max_length=50, examples=["permian"])
    sales_rep: str | None = Field(default=None, max_length=100)
    payment_terms: PaymentTerms = Field(default_factory=PaymentTerms)
    billing_profile: BillingProfile = Field(default_factory=BillingProfile)
    addresses: list[AddressIn] = Field(default_factory=list, max_length=200)
    contacts: list[ContactIn] = Field(default_factory=list, max_length=100)


class CustomerPatch(Strict):
    """Only the fields sent change. `reason` is recorded in the audit trail."""

    legal_name: str | None = Field(default=None, min_length=1, max_length=200)
    dba: str | None = Field(default=None, max_length=200)
    tax_id: EIN | None = None
    external_ref: str | None = Field(default=None, max_length=100)
    status: CustomerStatus | None = None
    currency: CurrencyCode | None = None
    business_district: str | None = Field(default=None, min_length=1, max_length=50)
    sales_rep: str | None = Field(default=None, max_length=100)
    payment_terms: PaymentTerms | None = None
    billing_profile: BillingProfile | None = None
    reason: str | None = Field(default=None, max_length=500)

    @field_validator(
        "legal_name", "status", "currency", "business_district", "payment_terms", "billing_profile"
    )
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("may be changed but not removed")
        return value


class CustomerOut(CustomerSnapshot):
    external_ref: str | None = None
    created_at: datetime
    updated_at: datetime


class CertificateIn(Strict):
    jurisdiction: str = Field(min_length=2, max_length=50, examples=["TX"])
    certificate_number: str = Field(min_length=1, max_length=100)
    issued_on: date | None = None
    expires_on: date | None = None


class OnboardingUpdate(Strict):
    status: OnboardingStatus
    note: str | None = Field(default=None, max_length=2000)


class DocumentOut(BaseModel):
    id: uuid.UUID
    kind: DocumentKind
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime
