"""The collections service's tables."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Column
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared.db import JSONColumn, UTCDateTime, utcnow


class CollectionsTable(SQLModel, registry=registry()):
    pass


class CollectionAccount(CollectionsTable, table=True):
    """Collections' own copy of the customer facts it chases with, kept from customer events."""

    __tablename__ = "collection_accounts"

    id: uuid.UUID = Field(primary_key=True, description="The customer's id")
    revision: int
    account_number: str = Field(index=True, max_length=20)
    legal_name: str = Field(max_length=200)
    status: str = Field(max_length=20)
    currency: str = Field(max_length=3)
    business_district: str = Field(index=True, max_length=50)
    sales_rep: str | None = Field(default=None, index=True, max_length=100)
    payment_terms: dict[str, Any] = Field(sa_column=Column(JSONColumn, nullable=False))
    # Who dunning letters and statements go to.
    contacts: list[dict[str, Any]] = Field(sa_column=Column(JSONColumn, nullable=False))
    synced_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, sa_column_kwargs={"onupdate": utcnow}
    )
