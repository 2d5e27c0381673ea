"""What the claims API takes and answers: a draft billed to a third-party payer, a denial."""

import uuid

from pydantic import Field

from services.invoicing.schemas.credit_memos import CreditLineIn
from services.invoicing.schemas.invoices import InvoiceOut
from shared.api.body import RequestBody
from shared.money import MoneyModel, MoneyOut


class ClaimIn(RequestBody):
    payer_id: uuid.UUID = Field(
        description="The payer's customer record (a manufacturer's warranty, an insurer)"
    )
    claim_number: str = Field(min_length=1, max_length=50, examples=["WAR-55120"])
    lines: list[CreditLineIn] | None = Field(
        default=None,
        max_length=500,
        description="On an issued invoice, what the payer is billed for; omit: all of it",
    )


class DenialIn(RequestBody):
    reason_code: str = Field(
        min_length=1, max_length=40, examples=["not_covered", "out_of_warranty", "no_auth"]
    )
    reason: str | None = Field(default=None, max_length=1000)
    lines: list[CreditLineIn] | None = Field(
        default=None, max_length=500, description="What the payer denied; omit: all of it"
    )


class DenialOut(MoneyModel):
    credit_memo_id: uuid.UUID
    credit_memo_number: str
    denied: MoneyOut = Field(description="What moved off the payer's invoice, tax included")
    invoice: InvoiceOut = Field(description="The customer's invoice for the denied part")
