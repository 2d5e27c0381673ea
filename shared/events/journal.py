"""The journal entry every financial event carries: balanced postings to GL accounts."""

import uuid
from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field, model_validator


class Posting(BaseModel):
    account: str = Field(
        description="GL account code from the chart-of-accounts mapping", examples=["1200"]
    )
    debit: Decimal = Field(default=Decimal(0), ge=0)
    credit: Decimal = Field(default=Decimal(0), ge=0)
    # Dimensions a GL export or a report may group by.
    business_district: str | None = None
    service_line: str | None = None
    jurisdiction: str | None = None
    memo: str | None = None

    @model_validator(mode="after")
    def _one_side(self) -> "Posting":
        if (self.debit > 0) == (self.credit > 0):
            raise ValueError("a posting is either a debit or a credit, and not zero")
        return self


class JournalEntry(BaseModel):
    """A balanced entry: the sum of debits equals the sum of credits, in one currency."""

    entry_id: uuid.UUID
    posted_on: date
    currency: str
    source: str = Field(
        description="What posted it", examples=["invoice", "payment", "credit_memo"]
    )
    document_id: uuid.UUID
    document_number: str | None = None
    postings: list[Posting] = Field(min_length=2)

    @model_validator(mode="after")
    def _balanced(self) -> "JournalEntry":
        debits = sum((p.debit for p in self.postings), Decimal(0))
        credits = sum((p.credit for p in self.postings), Decimal(0))
        if debits != credits:
            raise ValueError(f"unbalanced entry: debits {debits} != credits {credits}")
        return self
