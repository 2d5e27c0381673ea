"""Events the customers service publishes, and its consumer of credit holds."""

from sqlmodel.ext.asyncio.session import AsyncSession

from services.customers.domain import DocumentKind, OnboardingStatus, snapshot, touch
from services.customers.models import Customer
from shared.audit import record_change
from shared.events.credit import CreditApplicationApproved, CreditHoldPlaced, CreditHoldReleased
from shared.events.customers import CustomerRegistered, CustomerUpdated
from shared.events.envelope import EventEnvelope
from shared.inbox import HandlerContext
from shared.outbox import Outbox

outbox = Outbox("customers")


def publish_registered(session: AsyncSession, customer: Customer) -> None:
    outbox.add(
        session,
        CustomerRegistered(customer=snapshot(customer)),
        customer_id=str(customer.id),
        aggregate_id=str(customer.id),
    )


def publish_updated(session: AsyncSession, customer: Customer, changed: list[str]) -> None:
    outbox.add(
        session,
        CustomerUpdated(customer=snapshot(customer), changed=sorted(set(changed))),
        customer_id=str(customer.id),
        aggregate_id=str(customer.id),
    )


async def _set_credit_hold(
    context: HandlerContext, customer_id: object, on_hold: bool, why: str
) -> None:
    session = context.session
    customer = await session.get(Customer, customer_id)
    if customer is None or customer.credit_hold == on_hold:
        return  # unknown here, or already showing it
    customer.credit_hold = on_hold
    touch(customer, context.clock.now())
    record_change(
        session,
        actor=None,
        action="credit_hold_placed" if on_hold else "credit_hold_released",
        entity_type="customer",
        entity_id=str(customer.id),
        changes={"credit_hold": {"from": not on_hold, "to": on_hold}},
        reason=why,
    )
    publish_updated(session, customer, ["credit_hold"])


async def on_credit_hold_placed(
    context: HandlerContext, envelope: EventEnvelope, event: CreditHoldPlaced
) -> None:
    await _set_credit_hold(context, event.customer_id, True, "; ".join(event.reasons))


async def on_credit_hold_released(
    context: HandlerContext, envelope: EventEnvelope, event: CreditHoldReleased
) -> None:
    await _set_credit_hold(context, event.customer_id, False, event.reason)


async def on_credit_application_approved(
    context: HandlerContext, envelope: EventEnvelope, event: CreditApplicationApproved
) -> None:
    """Credit approved the customer's application: its checklist item is received."""
    session = context.session
    customer = await session.get(Customer, event.customer_id)
    if customer is None:
        return
    item = next((i for i in customer.onboarding if i.item == DocumentKind.CREDIT_APPLICATION), None)
    if item is None or item.status != OnboardingStatus.PENDING:
        return  # already received or waived
    item.status, item.updated_at = OnboardingStatus.RECEIVED, context.clock.now()
    touch(customer, item.updated_at)
    record_change(
        session,
        actor=None,
        action="onboarding_updated",
        entity_type="customer",
        entity_id=str(customer.id),
        changes={item.item: {"from": OnboardingStatus.PENDING, "to": OnboardingStatus.RECEIVED}},
        reason=f"credit application {event.application_id} approved by {event.approved_by}",
    )
    publish_updated(session, customer, ["onboarding"])


HANDLERS = {
    CreditHoldPlaced: on_credit_hold_placed,
    CreditHoldReleased: on_credit_hold_released,
    CreditApplicationApproved: on_credit_application_approved,
}
