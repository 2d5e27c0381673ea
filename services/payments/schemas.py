"""What the payments API answers."""

import uuid

from pydantic import BaseModel, ConfigDict, Field

from shared.events.customers import CustomerStatus


class PayerOut(BaseModel):
    """A customer as payments knows it: the account number and names its payments arrive under.

    A copy of the customer master (the customers service owns it).
    """

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID = Field(description="The customer's id")
    account_number: str = Field(examples=["C000123"])
    revision: int = Field(description="The customer master revision this copy reflects")
    legal_name: str
    dba: str | None = Field(description="Doing-business-as name, often the name on the check")
    status: CustomerStatus
    currency: str = Field(description="The one currency it is billed in", examples=["USD"])
