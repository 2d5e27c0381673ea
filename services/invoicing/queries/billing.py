"""Reading billing runs."""

import uuid

from sqlalchemy import Select
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.invoicing.models.billing import BillingRun
from shared.api.problems import NotFound


async def get_billing_run(session: AsyncSession, run_id: uuid.UUID) -> BillingRun:
    run = await session.get(BillingRun, run_id)
    if run is None:
        raise NotFound(f"no billing run {run_id}")
    return run


def search_billing_runs() -> Select:  # type: ignore[type-arg]
    """Every billing run: the route pages and orders them."""
    return select(BillingRun)
