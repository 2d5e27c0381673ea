"""Billing accounts: invoicing's copy of the customer master."""

import uuid
from typing import Any

from sqlalchemy import Column
from sqlmodel import Field

from services.invoicing.models.base import InvoicingTable
from shared.db import JSONColumn


class BillingAccount(InvoicingTable, table=True):
    """Invoicing's own copy of what billing needs to know about a customer.

    Kept current from `CustomerRegistered`/`CustomerUpdated`; the customers service owns the facts.
    """

    __tablename__ = "billing_accounts"

    id: uuid.UUID = Field(primary_key=True, description="The customer's id")
    revision: int = Field(description="The customer master revision this copy reflects")
    # Not unique: uniqueness is the customer master's rule, and a copy must never refuse its facts.
    account_number: str = Field(index=True, max_length=20)
    legal_name: str = Field(max_length=200)
    status: str = Field(index=True, max_length=20)
    credit_hold: bool
    currency: str = Field(max_length=3)
    business_district: str = Field(index=True, max_length=50)
    sales_rep: str | None = Field(default=None, max_length=100)
    payment_terms: dict[str, Any] = Field(sa_column=Column(JSONColumn, nullable=False))
    billing_profile: dict[str, Any] = Field(sa_column=Column(JSONColumn, nullable=False))
    addresses: list[dict[str, Any]] = Field(sa_column=Column(JSONColumn, nullable=False))
    contacts: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSONColumn, nullable=False, server_default="[]")
    )
    exemption_certificates: list[dict[str, Any]] = Field(
        sa_column=Column(JSONColumn, nullable=False)
    )
