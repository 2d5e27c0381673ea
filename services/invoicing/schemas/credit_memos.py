"""What the credit-memos API takes and answers."""

import uuid
from datetime import date, datetime

from pydantic import ConfigDict, Field, StrictInt, model_validator

from shared.api.body import RequestBody
from shared.events.invoicing import InvoiceLineFacts, TaxLineFacts
from shared.money import MoneyModel, MoneyOut, PositiveAmount, PositiveQuantity


class CreditLineIn(RequestBody):
    line: StrictInt = Field(ge=1, description="The invoice line, counting from 1")
    quantity: PositiveQuantity | None = Field(
        default=None, description="Units to credit at the line's price"
    )
    amount: PositiveAmount | None = Field(default=None, description="Or an amount off the line")

    @model_validator(mode="after")
    def _one_of(self) -> "CreditLineIn":
        if (self.quantity is None) == (self.amount is None):
            raise ValueError("give either quantity or amount")
        return self


class CreditMemoCreate(RequestBody):
    invoice_id: uuid.UUID
    reason_code: str = Field(
        min_length=1, max_length=40, examples=["pricing_error", "damaged", "goodwill"]
    )
    reason: str | None = Field(default=None, max_length=1000)
    lines: list[CreditLineIn] | None = Field(
        default=None, max_length=500, description="Omit to credit the whole invoice"
    )


class CreditMemoOut(MoneyModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    number: str = Field(examples=["CM-2026-000017"])
    invoice_id: uuid.UUID
    customer_id: uuid.UUID
    currency: str
    issued_on: date
    reason_code: str
    reason: str | None
    rebill: bool
    lines: list[InvoiceLineFacts]
    taxes: list[TaxLineFacts]
    subtotal: MoneyOut
    tax_total: MoneyOut
    total: MoneyOut
    approved_by: str
    created_at: datetime
