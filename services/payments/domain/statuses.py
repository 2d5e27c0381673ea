"""Where each of payments' documents stands, as stored in its `status` column and shown in the
API: one name per state, so no module spells a state by hand."""

from enum import StrEnum


class InvoiceStatus(StrEnum):
    """An open item: what payments knows of an invoice's balance."""

    OPEN = "open"
    PAID = "paid"
    VOIDED = "voided"


class PaymentStatus(StrEnum):
    RECEIVED = "received"
    REVERSED = "reversed"  # returned or NSF: its applications were undone


class ApplicationStatus(StrEnum):
    ACTIVE = "active"
    UNAPPLIED = "unapplied"


class SuggestionStatus(StrEnum):
    PENDING = "pending"  # waits in the review queue
    ACCEPTED = "accepted"
    DISMISSED = "dismissed"
    SUPERSEDED = "superseded"  # the payment or an invoice changed so that it no longer fits


class AdviceStatus(StrEnum):
    """A remittance advice: waiting for the payment it describes, used for it, or on the worklist
    because it matches nothing (nothing readable, or no payment within the window)."""

    WAITING = "waiting"
    USED = "used"
    UNMATCHED = "unmatched"


class RefundStatus(StrEnum):
    PENDING_APPROVAL = "pending_approval"
    ISSUED = "issued"
    REJECTED = "rejected"
