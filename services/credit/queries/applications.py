"""Reading credit applications and the reference calls made for them."""

import uuid
from typing import Any

from sqlalchemy import Select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.credit.domain.applications import ApplicationStatus
from services.credit.models import CreditApplication, ReferenceCheck
from shared.api.problems import NotFound

# Oldest first; the id breaks ties so the cursor order is total.
APPLICATION_ORDER = [col(CreditApplication.submitted_at), col(CreditApplication.id)]


async def get_application(
    session: AsyncSession, application_id: uuid.UUID, *, lock: bool = False
) -> CreditApplication:
    """The application; `lock` queues other decisions on it behind this one."""
    application = await session.get(CreditApplication, application_id, with_for_update=lock)
    if application is None:
        raise NotFound(f"no credit application {application_id}")
    return application


def search_applications(
    *, status: ApplicationStatus | None, customer_id: uuid.UUID | None
) -> Select[Any]:
    """Applications matching every filter given."""
    filters = {"status": status, "customer_id": customer_id}
    return select(CreditApplication).filter_by(
        **{name: value for name, value in filters.items() if value is not None}
    )


async def reference_checks(
    session: AsyncSession, application_id: uuid.UUID
) -> list[ReferenceCheck]:
    """The calls made for the application, in the order they were recorded."""
    checks = await session.exec(
        select(ReferenceCheck)
        .where(ReferenceCheck.application_id == application_id)
        .order_by(col(ReferenceCheck.recorded_at))
    )
    return list(checks)
