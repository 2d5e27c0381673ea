"""The credit service's tables."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Column
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared.db import JSONColumn, UTCDateTime, utcnow


class CreditTable(SQLModel, registry=registry()):
    pass


class CreditAccount(CreditTable, table=True):
    """Credit's own copy of the customer facts a credit review needs, kept from customer events."""

    __tablename__ = "credit_accounts"

    id: uuid.UUID = Field(primary_key=True, description="The customer's id")
    revision: int
    account_number: str = Field(index=True, max_length=20)
    legal_name: str = Field(max_length=200)
    status: str = Field(index=True, max_length=20)
    # The hold as the customer master shows it; credit's own holds come with the hold workflow.
    credit_hold: bool
    currency: str = Field(max_length=3)
    business_district: str = Field(index=True, max_length=50)
    # The onboarding checklist: whether the credit application and signed terms are in.
    onboarding: list[dict[str, Any]] = Field(sa_column=Column(JSONColumn, nullable=False))
    synced_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, sa_column_kwargs={"onupdate": utcnow}
    )
