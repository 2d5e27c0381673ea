"""What the credit API answers."""

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from shared.events.customers import CustomerStatus, OnboardingItem


class CreditAccountOut(BaseModel):
    """A customer as credit sees it: status and hold, billing currency, district, and how far
    its onboarding papers (credit application, W-9, signed terms...) have come."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID = Field(description="The customer's id")
    account_number: str = Field(examples=["C000123"])
    legal_name: str
    status: CustomerStatus
    credit_hold: bool = Field(description="Whether the customer master shows a credit hold")
    currency: str = Field(examples=["USD"])
    business_district: str = Field(examples=["permian"])
    onboarding: list[OnboardingItem]
    revision: int = Field(description="The customer master's revision this copy reflects")
    synced_at: datetime = Field(description="When credit last took a change of this customer")
