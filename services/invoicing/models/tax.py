"""The sales-tax database the coordinator maintains."""

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field

from services.invoicing.models.base import InvoicingTable
from shared.db import DecimalType, JSONColumn, new_id


class TaxJurisdiction(InvoicingTable, table=True):
    """A taxing jurisdiction, the addresses it covers and the line classes it taxes."""

    __tablename__ = "tax_jurisdictions"

    code: str = Field(primary_key=True, max_length=50)
    name: str = Field(max_length=200)
    level: str = Field(max_length=20)
    # The address mapping: an address is in the jurisdiction when every criterion given matches.
    country: str = Field(default="US", max_length=2)
    region: str = Field(max_length=10)
    county: str | None = Field(default=None, max_length=100)
    city: str | None = Field(default=None, max_length=100)
    postal_codes: list[str] = Field(
        default_factory=list, sa_column=Column(JSONColumn, nullable=False)
    )
    taxable_classes: list[str] = Field(
        default_factory=list, sa_column=Column(JSONColumn, nullable=False)
    )


class TaxRate(InvoicingTable, table=True):
    """A jurisdiction's rate from a date on, until the next rate's date."""

    __tablename__ = "tax_rates"
    __table_args__ = (UniqueConstraint("jurisdiction_code", "effective_from"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    jurisdiction_code: str = Field(foreign_key="tax_jurisdictions.code", index=True, max_length=50)
    effective_from: date
    rate: Decimal = Field(sa_type=DecimalType(9, 6))
