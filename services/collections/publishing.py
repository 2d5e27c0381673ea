"""What collections publishes: the outbox its commands write their events to, in their own
transaction, and the list of those events."""

from shared.events.catalog import EventPayload
from shared.events.collections import (
    DisputeOpened,
    DisputeResolved,
    DunningNoticeSent,
    PeriodClosed,
    PeriodReopened,
    PromiseToPayRecorded,
)
from shared.outbox import Outbox

outbox = Outbox("collections")

PUBLISHED: list[type[EventPayload]] = [
    DisputeOpened,
    DisputeResolved,
    PromiseToPayRecorded,
    DunningNoticeSent,
    PeriodClosed,
    PeriodReopened,
]
