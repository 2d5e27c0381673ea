"""Events the credit service publishes."""

import uuid
from datetime import date
from decimal import Decimal

from pydantic import Field

from shared.events.catalog import EventPayload, event


@event("credit.limit_changed", version=1, producer="credit")
class CreditLimitChanged(EventPayload):
    customer_id: uuid.UUID
    currency: str
    previous_limit: Decimal | None
    new_limit: Decimal
    reason: str
    approved_by: str
    review_on: date | None = None


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
