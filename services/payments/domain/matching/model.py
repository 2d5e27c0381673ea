"""What the cash-application engine reads (open invoices, receipts) and what it proposes."""

import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field

from services.payments.domain.matching.references import references_in


@dataclass(frozen=True, slots=True)
class OpenInvoice:
    id: uuid.UUID
    number: str
    customer_id: uuid.UUID
    currency: str
    balance: Decimal
    invoice_date: date
    # Set only while the invoice is untouched: the early-payment discount and its last day.
    discount_amount: Decimal | None = None
    discount_due_date: date | None = None
    # What it was issued for, where known: a balance below it means it was already part paid.
    total: Decimal | None = None


@dataclass(frozen=True, slots=True)
class RemittanceRef:
    """One remittance line: the invoice the payer named and what it says it paid on it."""

    invoice_ref: str | None
    amount: Decimal | None = None
    discount: Decimal | None = None
    reason_code: str | None = None


@dataclass(frozen=True, slots=True)
class Receipt:
    id: uuid.UUID
    currency: str
    amount: Decimal
    received_on: date
    customer_id: uuid.UUID | None = None
    payer_name: str | None = None
    payer_account: str | None = None
    memo: str | None = None
    lines: tuple[RemittanceRef, ...] = ()
    # The reference a bank passed on (BAI2 customer reference, camt end-to-end id, NACHA
    # individual id): read for invoice numbers when neither the remittance nor the memo has one.
    reference: str | None = None

    def references(self) -> list[RemittanceRef]:
        """The invoices the receipt names: its remittance lines, else the references in its memo,
        else those in the bank's reference."""
        return [line for line in self.lines if line.invoice_ref] or [
            RemittanceRef(ref) for ref in references_in(self.memo) or references_in(self.reference)
        ]


@dataclass(frozen=True, slots=True)
class ProposedApplication:
    invoice: OpenInvoice
    amount: Decimal
    discount: Decimal = Decimal(0)
    reason_code: str | None = None
    reference: str | None = None  # the remittance reference it answers, if any


@dataclass
class Proposal:
    """Which invoices a receipt settles, how sure the engine is, and why, in words."""

    receipt: Receipt
    customer_id: uuid.UUID | None
    applications: list[ProposedApplication]
    confidence: float
    explanation: list[str]
    unmatched_references: list[str] = field(default_factory=list)
    automatic: bool = False

    @property
    def applied(self) -> Decimal:
        return sum((a.amount for a in self.applications), Decimal(0))

    @property
    def left_unapplied(self) -> Decimal:
        return self.receipt.amount - self.applied


class MatchingPolicy(BaseModel):
    """How sure cash application must be before it applies cash without a person looking."""

    auto_apply_threshold: Decimal = Field(default=Decimal("0.90"), gt=0, le=1)
    # A payment this close to one open invoice is proposed against it; the difference stays open.
    amount_tolerance: Decimal = Field(default=Decimal("5.00"), ge=0)
    max_combination_size: int = Field(default=4, ge=2, le=6)
    # Combinations are searched among at most this many of the payer's oldest open invoices.
    max_combination_candidates: int = Field(default=40, ge=2, le=200)
