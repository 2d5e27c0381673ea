"""Dunning routes: run the letters, and read what was sent."""

import uuid

from sqlmodel import col

from services.collections.api.dependencies import SettingsDep
from services.collections.commands.dunning import run_dunning
from services.collections.models import DunningNotice
from services.collections.queries.dunning import dunning_notices
from services.collections.schemas import (
    DunningNoticeOut,
    DunningRunIn,
    DunningRunOut,
    SetAsideOut,
)
from shared.api.access import ARStaff, ScopedAnyRole
from shared.api.pagination import Page, PageQuery, page_of
from shared.api.routing import service_router
from shared.api.transaction import SessionDep
from shared.clock import ClockDep

router = service_router("/v1", "dunning")


@router.post("/dunning-runs", summary="Send dunning letters")
async def create_dunning_run(
    clock: ClockDep,
    data: DunningRunIn,
    session: SessionDep,
    actor: ARStaff,
    settings: SettingsDep,
) -> DunningRunOut:
    """For each customer with overdue items (in one district if given), the next letter: a
    friendly reminder first, then a second notice, a past-due notice and a final notice, each
    one stage above the last letter sent, as far as the oldest undisputed overdue item's age
    allows, and no sooner than the configured interval after the last. A second run on the same
    day sends nothing again. Disputed amounts are left out of the letter and listed in
    `set_aside`; customers under a live promise, with everything disputed, owing less than the
    minimum or not due a letter get none, and the answer says why. Each letter is a PDF sent by
    email, recorded as a letter activity and published as `DunningNoticeSent`."""
    result = await run_dunning(
        session,
        settings,
        actor,
        as_of=data.as_of or clock.today(),
        now=clock.now(),
        business_district=data.business_district,
    )
    return DunningRunOut(
        sent=[DunningNoticeOut.model_validate(n) for n in result.sent],
        skipped=result.skipped,
        set_aside={
            customer: [SetAsideOut.model_validate(s) for s in found]
            for customer, found in result.set_aside.items()
        },
    )


@router.get("/dunning-notices", summary="Dunning letters sent")
async def list_dunning_notices(
    session: SessionDep,
    actor: ScopedAnyRole,
    page: PageQuery,
    customer_id: uuid.UUID | None = None,
) -> Page[DunningNoticeOut]:
    """Letters sent, oldest first, optionally for one customer."""
    return await page_of(
        session,
        dunning_notices(customer_id, actor.scope),
        order_by=[col(DunningNotice.sent_on), col(DunningNotice.id)],
        params=page,
        item=DunningNoticeOut.model_validate,
    )
