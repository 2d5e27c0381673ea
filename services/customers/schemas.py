"""What the customers API takes and answers."""

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StrictBool,
    field_validator,
)

from services.customers.domain import (
    DocumentKind,
    DuplicateMatch,
    OnboardingStatus,
    normalise_ein,
)
from shared.api.body import RequestBody
from shared.api.dates import BoundedDate
from shared.api.text import MultilineText, PlainText
from shared.events.customers import (
    AddressKind,
    BillingProfile,
    CustomerSnapshot,
    CustomerStatus,
    PaymentTerms,
)
from shared.money import CurrencyCode, MoneyModel, MoneyOut

Text200 = Field(min_length=1, max_length=200)
EIN = Annotated[
    str, AfterValidator(normalise_ein), Field(description="US EIN", examples=["12-3456789"])
]


class Strict(RequestBody):
    model_config = ConfigDict(str_strip_whitespace=True)


def kept(value: object) -> object:
    """A PATCH may change a field that every record has but not send null to remove it."""
    if value is None:
        raise ValueError("may be changed but not removed")
    return value


class BillingProfileIn(BillingProfile):
    """The billing profile as sent: its instructions are text like every other field."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    special_instructions: MultilineText | None = Field(default=None, max_length=2000)


class AddressIn(Strict):
    kind: AddressKind
    label: PlainText | None = Field(default=None, max_length=200, examples=["Permian yard 4"])
    line1: PlainText = Text200
    line2: PlainText | None = Field(default=None, max_length=200)
    city: PlainText = Field(min_length=1, max_length=100)
    county: PlainText | None = Field(default=None, max_length=100)
    region: PlainText = Field(min_length=2, max_length=50, examples=["TX"])
    postal_code: PlainText = Field(min_length=3, max_length=20, examples=["79701"])
    country: PlainText = Field(default="US", pattern="^[A-Z]{2}$")


class AddressPatch(Strict):
    kind: AddressKind | None = None
    label: PlainText | None = Field(default=None, max_length=200)
    line1: PlainText | None = Field(default=None, min_length=1, max_length=200)
    line2: PlainText | None = Field(default=None, max_length=200)
    city: PlainText | None = Field(default=None, min_length=1, max_length=100)
    county: PlainText | None = Field(default=None, max_length=100)
    region: PlainText | None = Field(default=None, min_length=2, max_length=50)
    postal_code: PlainText | None = Field(default=None, min_length=3, max_length=20)
    country: PlainText | None = Field(default=None, pattern="^[A-Z]{2}$")
    reason: PlainText | None = Field(default=None, max_length=500)

    _kept = field_validator("kind", "line1", "city", "region", "postal_code", "country")(kept)


class ContactIn(Strict):
    name: PlainText = Text200
    email: EmailStr | None = None
    phone: PlainText | None = Field(default=None, max_length=40)
    role: PlainText | None = Field(default=None, max_length=100, examples=["Accounts payable"])
    receives_invoices: StrictBool = False


class ContactPatch(Strict):
    name: PlainText | None = Field(default=None, min_length=1, max_length=200)
    email: EmailStr | None = None
    phone: PlainText | None = Field(default=None, max_length=40)
    role: PlainText | None = Field(default=None, max_length=100)
    receives_invoices: StrictBool | None = None
    reason: PlainText | None = Field(default=None, max_length=500)

    _kept = field_validator("name", "receives_invoices")(kept)


class DuplicateOverride(Strict):
    """Register (or rename) the customer although it matches one already registered: the same
    tax id or the same name. Recorded in the audit trail with the accounts it matches."""

    reason: PlainText = Field(
        min_length=1, max_length=500, examples=["separate account for the Delaware Basin division"]
    )


class CustomerCreate(Strict):
    legal_name: PlainText = Field(
        min_length=1, max_length=200, examples=["Permian Basin Services LLC"]
    )
    dba: PlainText | None = Field(default=None, max_length=200)
    tax_id: EIN | None = None
    external_ref: PlainText | None = Field(
        default=None, max_length=100, description="The customer's id in the sales system"
    )
    status: CustomerStatus = CustomerStatus.PROSPECT
    currency: CurrencyCode = "USD"
    business_district: PlainText = Field(min_length=1, max_length=50, examples=["permian"])
    sales_rep: PlainText | None = Field(default=None, max_length=100)
    payment_terms: PaymentTerms = Field(default_factory=PaymentTerms)
    billing_profile: BillingProfileIn = Field(default_factory=BillingProfileIn)
    addresses: list[AddressIn] = Field(default_factory=list, max_length=200)
    contacts: list[ContactIn] = Field(default_factory=list, max_length=100)
    duplicate_override: DuplicateOverride | None = None


class CustomerPatch(Strict):
    """Only the fields sent change. `reason` is recorded in the audit trail."""

    legal_name: PlainText | None = Field(default=None, min_length=1, max_length=200)
    dba: PlainText | None = Field(default=None, max_length=200)
    tax_id: EIN | None = None
    external_ref: PlainText | None = Field(default=None, max_length=100)
    status: CustomerStatus | None = None
    currency: CurrencyCode | None = None
    business_district: PlainText | None = Field(default=None, min_length=1, max_length=50)
    sales_rep: PlainText | None = Field(default=None, max_length=100)
    payment_terms: PaymentTerms | None = None
    billing_profile: BillingProfileIn | None = None
    reason: PlainText | None = Field(default=None, max_length=500)
    duplicate_override: DuplicateOverride | None = None

    _kept = field_validator(
        "legal_name", "status", "currency", "business_district", "payment_terms", "billing_profile"
    )(kept)


class ChangeRequestIn(Strict):
    """A change of payment terms and/or currency, made once another person approves it."""

    payment_terms: PaymentTerms | None = None
    currency: CurrencyCode | None = None
    reason: PlainText = Field(min_length=1, max_length=500)


class ChangeRequestOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    customer_id: uuid.UUID
    changes: dict[str, Any]
    reason: str
    requested_by: str
    requested_at: datetime
    approved_by: str | None
    approved_at: datetime | None


class CreditLineOut(MoneyModel):
    """The credit line credit approved for the customer."""

    credit_limit: MoneyOut
    currency: str
    review_on: date | None = None
    approved_by: str


class CustomerOut(CustomerSnapshot):
    external_ref: str | None = None
    credit_line: CreditLineOut | None = None
    created_at: datetime
    updated_at: datetime


class CertificateIn(Strict):
    jurisdiction: PlainText = Field(min_length=2, max_length=50, examples=["TX"])
    certificate_number: PlainText = Field(min_length=1, max_length=100)
    issued_on: BoundedDate | None = None
    expires_on: BoundedDate | None = None


class OnboardingUpdate(Strict):
    status: OnboardingStatus
    note: MultilineText | None = Field(default=None, max_length=2000)


class DocumentOut(BaseModel):
    id: uuid.UUID
    kind: DocumentKind
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime


class DuplicateOut(BaseModel):
    """A customer that may be the same as the one asked about, and why."""

    id: uuid.UUID
    account_number: str
    legal_name: str
    tax_id: str | None
    status: CustomerStatus
    matched_on: list[DuplicateMatch]
    name_similarity: int | None = Field(
        description="How alike the names are, 0-100 (word order, case, punctuation and legal "
        "form ignored); None when the name did not match"
    )
