"""The onboarding checklist: items received or waived by hand."""

from sqlmodel.ext.asyncio.session import AsyncSession

from services.customers.commands.changes import record
from services.customers.domain import CustomerRuleBroken, OnboardingStatus
from services.customers.models import Customer, OnboardingItemRecord
from services.customers.schemas import OnboardingUpdate
from shared.api.problems import NotFound
from shared.auth import Principal
from shared.clock import Clock


async def set_onboarding_item(
    session: AsyncSession,
    clock: Clock,
    customer: Customer,
    item: str,
    update: OnboardingUpdate,
    actor: Principal,
) -> OnboardingItemRecord:
    record_ = next((i for i in customer.onboarding if i.item == item), None)
    if record_ is None:
        raise NotFound(f"the onboarding checklist has no item {item!r}")
    if update.status == OnboardingStatus.WAIVED and not update.note:
        raise CustomerRuleBroken("waiving an onboarding item needs a note saying why")
    changes = {item: {"from": record_.status, "to": update.status}}
    record_.status, record_.note, record_.updated_at = update.status, update.note, clock.now()
    await record(
        session, clock, customer, actor, "onboarding_updated", changes, ["onboarding"], update.note
    )
    return record_
