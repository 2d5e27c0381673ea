"""Rental reports: what the API answers."""

import uuid
from decimal import Decimal

from pydantic import BaseModel, Field

from shared.money import MoneyModel, MoneyOut


class OnRentGroupOut(BaseModel):
    key: str = Field(description="The customer id, `customer/job site`, or the district")
    assets_on_rent: int
    asset_classes: dict[str, int]
    asset_ids: list[str]


class UtilizationOut(BaseModel):
    asset_class: str
    assets: int
    days_owned: int
    days_on_rent: int
    utilization: Decimal = Field(description="Days on rent ÷ days owned")


class LeakOut(MoneyModel):
    kind: str = Field(description="`unbilled`, `billed_but_back` or `no_contract`")
    asset_id: str | None
    contract_number: str | None
    line_number: int | None
    customer_id: uuid.UUID | None
    reason: str
    dollars_at_risk: MoneyOut | None = Field(description="None: no contract says the rate")


class LeakageOut(MoneyModel):
    leaks: list[LeakOut]
    dollars_at_risk: MoneyOut
