"""A customer's audit trail."""

import uuid

from services.customers.api.dependencies import PREFIX, TAG
from services.customers.queries import get_customer
from shared.api.access import ScopedAnyRole
from shared.api.routing import service_router
from shared.api.transaction import SessionDep
from shared.audit import HistoryEntry, history

router = service_router(PREFIX, TAG)


@router.get("/{customer_id}/history", summary="Who changed what, when and why")
async def read_history(
    customer_id: uuid.UUID, session: SessionDep, actor: ScopedAnyRole
) -> list[HistoryEntry]:
    """Every change to the customer, oldest first, with who made it and why."""
    await get_customer(session, customer_id, scope=actor.scope)
    return await history(session, "customer", str(customer_id))
