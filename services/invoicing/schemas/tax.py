"""What the tax API takes and answers."""

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from services.invoicing.domain.tax import JurisdictionLevel
from shared.api.body import RequestBody
from shared.api.dates import BoundedDate
from shared.events.sales import Taxability
from shared.money import MoneyModel, MoneyOut, TaxRate


class JurisdictionIn(RequestBody):
    """A jurisdiction, the addresses it covers (every criterion given must match) and the line
    classes it taxes."""

    name: str = Field(min_length=1, max_length=200, examples=["Midland County"])
    level: JurisdictionLevel
    country: str = Field(default="US", min_length=2, max_length=2)
    region: str = Field(min_length=1, max_length=10, examples=["TX"])
    county: str | None = Field(default=None, max_length=100, examples=["Midland"])
    city: str | None = Field(default=None, max_length=100)
    postal_codes: list[str] = Field(
        default_factory=list, description="5-digit ZIPs of a special district"
    )
    taxable_classes: list[Taxability] = Field(
        default_factory=list, description="Line classes taxed here", examples=[["goods", "rental"]]
    )


class RateIn(RequestBody):
    effective_from: BoundedDate
    rate: TaxRate


class RateOut(RateIn):
    model_config = ConfigDict(from_attributes=True, extra="ignore")  # an answer, not a body


class JurisdictionOut(JurisdictionIn):
    model_config = ConfigDict(from_attributes=True, extra="ignore")  # an answer, not a body

    code: str
    rates: list[RateOut] = Field(
        default_factory=list, description="Oldest first; each holds until the next"
    )


class JurisdictionOnDay(BaseModel):
    code: str
    name: str
    level: str
    rate: Decimal | None = Field(description="In force on the day; none means it cannot tax yet")
    taxable_classes: list[str]


class LiabilityLine(BaseModel):
    jurisdiction: str
    name: str
    invoiced_taxable: MoneyOut
    invoiced_tax: MoneyOut
    credited_tax: MoneyOut
    net_tax: MoneyOut = Field(description="Tax invoiced less tax credited in the period")


class Liability(MoneyModel):
    period: str = Field(examples=["2026-11"])
    currency: str
    jurisdictions: list[LiabilityLine]
