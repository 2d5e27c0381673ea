"""Events the collections service publishes on `ar.collections.v1`."""

import uuid
from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import Field

from shared.events.catalog import EventPayload, event


class Department(StrEnum):
    """Who must act before a disputed amount can be collected."""

    SALES = "sales"
    SERVICE = "service"
    OPERATIONS = "operations"


class DisputeOutcome(StrEnum):
    """Whom a dispute was settled for."""

    CUSTOMER = "customer"  # the disputed amount is not owed (a credit memo takes it off)
    COMPANY = "company"  # the amount is owed as invoiced and is chased again
    SPLIT = "split"  # partly each: part credited, the rest chased again


@event("dispute.opened", version=1, producer="collections")
class DisputeOpened(EventPayload):
    """A customer disputes an invoice or an amount; collections stops chasing it meanwhile."""

    dispute_id: uuid.UUID
    customer_id: uuid.UUID
    invoice_id: uuid.UUID | None = None
    invoice_number: str | None = None
    currency: str
    amount: Decimal = Field(description="The amount in dispute")
    reason: str
    department: Department
    opened_on: date


@event("dispute.resolved", version=1, producer="collections")
class DisputeResolved(EventPayload):
    dispute_id: uuid.UUID
    customer_id: uuid.UUID
    invoice_id: uuid.UUID | None = None
    resolution: str
    resolved_on: date
    # Optional in v1: disputes resolved before outcomes were recorded have none.
    outcome: DisputeOutcome | None = Field(default=None, description="Whom it was settled for")


@event("promise_to_pay.recorded", version=1, producer="collections")
class PromiseToPayRecorded(EventPayload):
    """A customer promised to pay an amount by a date; payments will show whether it was kept."""

    promise_id: uuid.UUID
    customer_id: uuid.UUID
    currency: str
    amount: Decimal
    promised_on: date
    recorded_on: date
    invoice_ids: list[uuid.UUID] = Field(default_factory=list)


@event("dunning_notice.sent", version=1, producer="collections")
class DunningNoticeSent(EventPayload):
    notice_id: uuid.UUID
    customer_id: uuid.UUID
    currency: str
    stage: int = Field(
        ge=1, description="1 is a friendly reminder; the highest is the final notice"
    )
    stage_name: str
    amount_past_due: Decimal
    invoice_ids: list[uuid.UUID]
    sent_on: date
    sent_to: list[str]


@event("period.closed", version=1, producer="collections")
class PeriodClosed(EventPayload):
    """A month closed: nothing may post into it any more."""

    period: str = Field(pattern=r"^\d{4}-\d{2}$", examples=["2026-10"])
    closed_through: date
    closed_by: str


@event("period.reopened", version=1, producer="collections")
class PeriodReopened(EventPayload):
    """A closed month was reopened: documents dated in it may post again until it closes anew."""

    period: str = Field(pattern=r"^\d{4}-\d{2}$", examples=["2026-10"])
    reopened_by: str
    reason: str
