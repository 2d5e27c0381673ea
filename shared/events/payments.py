"""Events the payments service publishes on `ar.payments.v1`.

Amounts are positive. A payment first lands as unapplied cash; each application moves part of it
onto an invoice (or a deposit onto an invoice), and the journal of each event says how.
"""

import uuid
from datetime import date
from decimal import Decimal

from pydantic import Field

from shared.events.catalog import EventPayload, event
from shared.events.journal import JournalEntry


@event("payment.received", version=1, producer="payments")
class PaymentReceived(EventPayload):
    payment_id: uuid.UUID
    customer_id: uuid.UUID | None = Field(description="None while the payer is not identified")
    method: str = Field(examples=["check", "ach", "wire", "card", "cash", "lockbox"])
    amount: Decimal
    currency: str
    received_on: date
    reference: str | None = Field(default=None, description="Check number or bank reference")
    payer_name: str | None = None
    journal: JournalEntry


@event("payment.applied", version=1, producer="payments")
class PaymentApplied(EventPayload):
    """Cash (or a deposit) applied to an invoice; `discount` is an early-payment discount taken
    with it, which also reduces the invoice. A short-pay written off is a WriteOffPosted."""

    application_id: uuid.UUID
    payment_id: uuid.UUID | None = None
    deposit_id: uuid.UUID | None = None
    customer_id: uuid.UUID
    invoice_id: uuid.UUID
    invoice_number: str
    currency: str
    amount: Decimal = Field(gt=0, description="Cash applied to the invoice")
    discount: Decimal = Field(default=Decimal(0), ge=0)
    applied_on: date
    automatic: bool = False
    journal: JournalEntry


@event("payment.unapplied", version=1, producer="payments")
class PaymentUnapplied(EventPayload):
    """An application undone (by hand, or because its payment was reversed)."""

    application_id: uuid.UUID
    payment_id: uuid.UUID | None = None
    deposit_id: uuid.UUID | None = None
    customer_id: uuid.UUID
    invoice_id: uuid.UUID
    invoice_number: str
    currency: str
    amount: Decimal
    discount: Decimal = Decimal(0)
    unapplied_on: date
    reason: str
    journal: JournalEntry


@event("payment.reversed", version=1, producer="payments")
class PaymentReversed(EventPayload):
    """A returned or NSF payment: its applications are undone first (PaymentUnapplied each)."""

    payment_id: uuid.UUID
    customer_id: uuid.UUID | None
    amount: Decimal
    currency: str
    reversed_on: date
    reason: str
    journal: JournalEntry


@event("refund.issued", version=1, producer="payments")
class RefundIssued(EventPayload):
    refund_id: uuid.UUID
    payment_id: uuid.UUID | None = None
    customer_id: uuid.UUID
    amount: Decimal
    currency: str
    issued_on: date
    approved_by: str
    journal: JournalEntry


@event("deposit.received", version=1, producer="payments")
class DepositReceived(EventPayload):
    deposit_id: uuid.UUID
    customer_id: uuid.UUID
    amount: Decimal
    currency: str
    received_on: date
    ticket_number: str | None = None
    job_site: str | None = None
    po_number: str | None = None
    journal: JournalEntry


@event("write_off.posted", version=1, producer="payments")
class WriteOffPosted(EventPayload):
    """A balance written off: a small short-pay within tolerance, or an approved bad debt."""

    write_off_id: uuid.UUID
    customer_id: uuid.UUID
    invoice_id: uuid.UUID
    invoice_number: str
    currency: str
    amount: Decimal
    posted_on: date
    reason: str
    approved_by: str
    journal: JournalEntry


@event("credit_memo.applied", version=1, producer="payments")
class CreditMemoApplied(EventPayload):
    """Payments settled (part of) a credit memo against its invoice's open balance: it is the one
    authority over that balance, so a memo and cash landing at once can never both settle the
    same amount. What the invoice no longer has open stays on the memo as on-account credit."""

    credit_memo_id: uuid.UUID
    credit_memo_number: str
    customer_id: uuid.UUID
    invoice_id: uuid.UUID
    invoice_number: str
    currency: str
    amount: Decimal = Field(ge=0, description="Taken off the invoice's open balance by this step")
    on_account: Decimal = Field(
        ge=0, description="What is left of the memo afterwards, as on-account credit"
    )
    applied_on: date


@event("write_off.reversed", version=1, producer="payments")
class WriteOffReversed(EventPayload):
    """A write-off undone because its invoice was voided (the void and the write-off crossed):
    nothing of a voided invoice is bad debt."""

    write_off_id: uuid.UUID
    customer_id: uuid.UUID
    invoice_id: uuid.UUID
    invoice_number: str
    currency: str
    amount: Decimal
    reversed_on: date
    reason: str
    journal: JournalEntry
