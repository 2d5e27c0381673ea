"""The collections service's events: the outbox it publishes through and its consumers.

Every consumed event is logged, projected into the ledger and, for payments, counted against
promises to pay (or, returned, taken back off them), all in the one transaction the inbox
opens for it.
"""

from typing import Any

from services.collections.projection import CONSUMED, log_event, project
from services.collections.promises import count_payment, uncount_payment
from shared.events.catalog import EventPayload
from shared.events.collections import (
    DisputeOpened,
    DisputeResolved,
    DunningNoticeSent,
    PeriodClosed,
    PromiseToPayRecorded,
)
from shared.events.envelope import EventEnvelope
from shared.events.payments import PaymentReceived, PaymentReversed
from shared.inbox import EventHandler, HandlerContext
from shared.outbox import Outbox

outbox = Outbox("collections")

PUBLISHED: list[type[EventPayload]] = [
    DisputeOpened,
    DisputeResolved,
    PromiseToPayRecorded,
    DunningNoticeSent,
    PeriodClosed,
]


async def consume(context: HandlerContext, envelope: EventEnvelope, event: Any) -> None:
    session = context.session
    log_event(context, envelope)
    await project(context, envelope, event)
    if isinstance(event, PaymentReceived):
        await count_payment(session, event)
    elif isinstance(event, PaymentReversed):
        await uncount_payment(session, event)


HANDLERS: dict[type[EventPayload], EventHandler] = {model: consume for model in CONSUMED}
