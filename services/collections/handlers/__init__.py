"""The events collections consumes.

Every consumed event is logged, projected into the ledger and, for payments, counted against
promises to pay (or, returned, taken back off them), all in the one transaction the inbox
opens for it.
"""

from typing import Any

from services.collections.handlers.projection import CONSUMED, log_event, project
from services.collections.handlers.promises import count_payment, uncount_payment
from shared.events.catalog import EventPayload
from shared.events.envelope import EventEnvelope
from shared.events.payments import PaymentReceived, PaymentReversed
from shared.inbox import EventHandler, HandlerContext


async def consume(context: HandlerContext, envelope: EventEnvelope, event: Any) -> None:
    session = context.session
    log_event(context, envelope)
    await project(context, envelope, event)
    if isinstance(event, PaymentReceived):
        await count_payment(session, event)
    elif isinstance(event, PaymentReversed):
        await uncount_payment(session, event)


HANDLERS: dict[type[EventPayload], EventHandler] = {model: consume for model in CONSUMED}
