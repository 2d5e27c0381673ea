"""The payments service's tables."""

import uuid

from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel


class PaymentsTable(SQLModel, registry=registry()):
    pass


class Payer(PaymentsTable, table=True):
    """Payments' own copy of who a customer is, to recognise who sent a payment.

    Kept current from `CustomerRegistered`/`CustomerUpdated`; the customers service owns the facts.
    """

    __tablename__ = "payers"

    id: uuid.UUID = Field(primary_key=True, description="The customer's id")
    revision: int = Field(description="The customer master revision this copy reflects")
    # Not unique: uniqueness is the customer master's rule, and a copy must never refuse its facts.
    account_number: str = Field(index=True, max_length=20)
    legal_name: str = Field(max_length=200)
    dba: str | None = Field(default=None, max_length=200)
    status: str = Field(max_length=20)
    currency: str = Field(max_length=3)
