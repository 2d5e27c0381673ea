"""The inbound `sales.ticket_closed` event: the same intake and validation as POST /v1/tickets."""

from services.invoicing.commands.tickets import receive_ticket
from shared.api.problems import Problem
from shared.events.envelope import EventEnvelope
from shared.events.sales import SalesTicketClosed
from shared.inbox import HandlerContext, PoisonMessage


async def on_ticket_closed(
    context: HandlerContext, envelope: EventEnvelope, event: SalesTicketClosed
) -> None:
    try:
        await receive_ticket(
            context.session,
            event,
            None,
            clock=context.clock,
            max_future_days=context.settings.max_future_days,
        )
    except Problem as exc:
        # No retry makes an unknown customer, a mismatched currency or a date years ahead
        # right: dead-letter it with the reason, for the sales system's owners to fix and replay.
        raise PoisonMessage(f"{exc.slug}: {exc.detail}") from exc


HANDLERS = {SalesTicketClosed: on_ticket_closed}
