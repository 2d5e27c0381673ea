"""What credit decides, shown on the customer: its credit hold and its approved application."""

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from services.customers.commands.changes import record
from services.customers.domain import DocumentKind, OnboardingStatus
from services.customers.models import Customer
from shared.clock import Clock


async def set_credit_hold(
    session: AsyncSession, clock: Clock, customer_id: uuid.UUID, on_hold: bool, why: str
) -> None:
    customer = await session.get(Customer, customer_id)
    if customer is None or customer.credit_hold == on_hold:
        return  # unknown here, or already showing it
    customer.credit_hold = on_hold
    await record(
        session,
        clock,
        customer,
        None,
        "credit_hold_placed" if on_hold else "credit_hold_released",
        {"credit_hold": {"from": not on_hold, "to": on_hold}},
        ["credit_hold"],
        why,
    )


async def receive_credit_application(
    session: AsyncSession, clock: Clock, customer_id: uuid.UUID, why: str
) -> None:
    """The approved application ticks its checklist item, if it is still pending."""
    customer = await session.get(Customer, customer_id)
    if customer is None:
        return
    item = next((i for i in customer.onboarding if i.item == DocumentKind.CREDIT_APPLICATION), None)
    if item is None or item.status != OnboardingStatus.PENDING:
        return  # already received or waived
    item.status, item.updated_at = OnboardingStatus.RECEIVED, clock.now()
    await record(
        session,
        clock,
        customer,
        None,
        "onboarding_updated",
        {item.item: {"from": OnboardingStatus.PENDING, "to": OnboardingStatus.RECEIVED}},
        ["onboarding"],
        why,
    )
