"""Events the credit service publishes on `ar.credit.v1`."""

import uuid
from datetime import date
from decimal import Decimal

from pydantic import Field

from shared.events.catalog import EventPayload, event
from shared.events.customers import PaymentTerms


@event("credit.limit_changed", version=1, producer="credit")
class CreditLimitChanged(EventPayload):
    """The customer's credit line as credit approved it; customers puts its terms and limit on
    the customer record, so invoicing bills on them."""

    customer_id: uuid.UUID
    currency: str
    previous_limit: Decimal | None
    new_limit: Decimal
    reason: str
    approved_by: str
    review_on: date | None = None
    # Optional so the events published before it was carried still read.
    terms: PaymentTerms | None = None


@event("credit.hold_placed", version=1, producer="credit")
class CreditHoldPlaced(EventPayload):
    customer_id: uuid.UUID
    reasons: list[str] = Field(min_length=1)
    automatic: bool


@event("credit.hold_released", version=1, producer="credit")
class CreditHoldReleased(EventPayload):
    customer_id: uuid.UUID
    reason: str
    automatic: bool


@event("credit.application_approved", version=1, producer="credit")
class CreditApplicationApproved(EventPayload):
    """A credit application approved: the customer's credit is active with this limit and terms
    (customers ticks the onboarding checklist's credit application as received)."""

    application_id: uuid.UUID
    customer_id: uuid.UUID
    currency: str
    credit_limit: Decimal
    terms: PaymentTerms
    conditions: str | None = None
    approved_by: str
    approved_on: date
