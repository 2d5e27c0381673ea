"""What the invoicing API answers."""

import uuid

from pydantic import BaseModel, ConfigDict, Field

from shared.events.customers import (
    Address,
    BillingProfile,
    CustomerStatus,
    ExemptionCertificate,
    PaymentTerms,
)


class BillingAccountOut(BaseModel):
    """A customer as invoicing bills it: terms, billing profile, addresses, tax exemptions.

    A copy of the customer master (the customers service owns it).
    """

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID = Field(description="The customer's id")
    account_number: str = Field(examples=["C000123"])
    revision: int = Field(description="The customer master revision this copy reflects")
    legal_name: str
    status: CustomerStatus
    credit_hold: bool = Field(description="Credit has placed the customer on hold")
    currency: str = Field(description="The one currency it is billed in", examples=["USD"])
    business_district: str = Field(examples=["permian"])
    sales_rep: str | None
    payment_terms: PaymentTerms
    billing_profile: BillingProfile
    addresses: list[Address]
    exemption_certificates: list[ExemptionCertificate]
