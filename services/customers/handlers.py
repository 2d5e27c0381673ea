"""What the customers service consumes: credit's holds, approvals and credit lines, shown on the
customer."""

from services.customers.commands import credit
from shared.events.credit import (
    CreditApplicationApproved,
    CreditHoldPlaced,
    CreditHoldReleased,
    CreditLimitChanged,
)
from shared.events.envelope import EventEnvelope
from shared.inbox import HandlerContext


async def on_credit_hold_placed(
    context: HandlerContext, envelope: EventEnvelope, event: CreditHoldPlaced
) -> None:
    await credit.set_credit_hold(
        context.session, context.clock, event.customer_id, True, "; ".join(event.reasons)
    )


async def on_credit_hold_released(
    context: HandlerContext, envelope: EventEnvelope, event: CreditHoldReleased
) -> None:
    await credit.set_credit_hold(
        context.session, context.clock, event.customer_id, False, event.reason
    )


async def on_credit_application_approved(
    context: HandlerContext, envelope: EventEnvelope, event: CreditApplicationApproved
) -> None:
    """Credit approved the customer's application: its checklist item is received."""
    await credit.receive_credit_application(
        context.session,
        context.clock,
        event.customer_id,
        f"credit application {event.application_id} approved by {event.approved_by}",
    )


async def on_credit_limit_changed(
    context: HandlerContext, envelope: EventEnvelope, event: CreditLimitChanged
) -> None:
    """Credit set the customer's limit and terms: the customer record takes them."""
    await credit.set_credit_line(context.session, context.clock, event)


HANDLERS = {
    CreditHoldPlaced: on_credit_hold_placed,
    CreditHoldReleased: on_credit_hold_released,
    CreditApplicationApproved: on_credit_application_approved,
    CreditLimitChanged: on_credit_limit_changed,
}
