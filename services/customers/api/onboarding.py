"""A customer's onboarding checklist."""

import uuid

from services.customers.api.dependencies import PREFIX, TAG
from services.customers.commands.onboarding import set_onboarding_item
from services.customers.publishing import snapshot
from services.customers.queries import get_customer
from services.customers.schemas import OnboardingUpdate
from shared.api.access import ScopedAnyRole, Staff
from shared.api.routing import service_router
from shared.api.transaction import SessionDep
from shared.clock import ClockDep
from shared.events.customers import OnboardingItem

router = service_router(PREFIX, TAG)


@router.get("/{customer_id}/onboarding", summary="The onboarding checklist")
async def read_onboarding(
    customer_id: uuid.UUID, session: SessionDep, actor: ScopedAnyRole
) -> list[OnboardingItem]:
    """Each item of the checklist and whether it is pending, received or waived."""
    return snapshot(await get_customer(session, customer_id, scope=actor.scope)).onboarding


@router.put("/{customer_id}/onboarding/{item}", summary="Tick or waive an onboarding item")
async def put_onboarding_item(
    customer_id: uuid.UUID,
    item: str,
    data: OnboardingUpdate,
    session: SessionDep,
    clock: ClockDep,
    actor: Staff,
) -> OnboardingItem:
    """Mark an item received or waived (waiving needs a note)."""
    customer = await get_customer(session, customer_id, lock=True)
    record = await set_onboarding_item(session, clock, customer, item, data, actor)
    return OnboardingItem(item=record.item, status=record.status, updated_at=record.updated_at)
