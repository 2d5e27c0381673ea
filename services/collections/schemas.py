"""What the collections API answers."""

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from shared.events.customers import Contact, CustomerStatus, PaymentTerms


class CollectionAccountOut(BaseModel):
    """A customer as collections sees it: who owes, in which currency and on what terms, in
    which district and sales rep's book, and whom to send dunning letters and statements."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID = Field(description="The customer's id")
    account_number: str = Field(examples=["C000123"])
    legal_name: str
    status: CustomerStatus
    currency: str = Field(examples=["USD"])
    business_district: str = Field(examples=["permian"])
    sales_rep: str | None
    payment_terms: PaymentTerms
    contacts: list[Contact]
    revision: int = Field(description="The customer master's revision this copy reflects")
    synced_at: datetime = Field(description="When collections last took a change of this customer")
