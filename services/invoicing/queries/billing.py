"""Reading billing runs."""

import uuid
from collections.abc import Sequence

from sqlalchemy import Select, union
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.invoicing.models.accounts import BillingAccount
from services.invoicing.models.billing import BillingRun
from services.invoicing.models.tickets import Ticket
from shared.api.problems import NotFound


async def get_billing_run(session: AsyncSession, run_id: uuid.UUID) -> BillingRun:
    run = await session.get(BillingRun, run_id)
    if run is None:
        raise NotFound(f"no billing run {run_id}")
    return run


def search_billing_runs() -> Select:  # type: ignore[type-arg]
    """Every billing run: the route pages and orders them."""
    return select(BillingRun)


async def known_districts(session: AsyncSession, districts: Sequence[str]) -> set[str]:
    """Those of the districts a customer or a ticket has ever named."""
    rows = await session.exec(
        union(
            select(Ticket.business_district).where(col(Ticket.business_district).in_(districts)),
            select(BillingAccount.business_district).where(
                col(BillingAccount.business_district).in_(districts)
            ),
        )
    )
    return {district for (district,) in rows.all()}
