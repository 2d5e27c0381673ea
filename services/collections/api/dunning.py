"""Dunning routes: run the letters, and read what was sent."""

import uuid

from sqlmodel import col

from services.collections.api.dependencies import SettingsDep
from services.collections.commands.dunning import run_dunning
from services.collections.models import DunningNotice
from services.collections.queries.dunning import dunning_notices
from services.collections.schemas import DunningNoticeOut, DunningRunIn, DunningRunOut
from shared.api.access import AnyRole, ARStaff
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
    """For each customer with overdue items (in one district if given), the letter its oldest
    undisputed overdue item calls for: a friendly reminder, a second notice, a past-due notice
    or a final notice, by days past due. Customers under a live promise, with everything
    disputed, or owing less than the minimum get none, and the answer says why. Each letter is
    a PDF sent by email, recorded as a letter activity and published as `DunningNoticeSent`."""
    result = await run_dunning(
        session,
        settings,
        actor,
        as_of=data.as_of or clock.today(),
        business_district=data.business_district,
    )
    return DunningRunOut(
        sent=[DunningNoticeOut.model_validate(n) for n in result.sent], skipped=result.skipped
    )


@router.get("/dunning-notices", summary="Dunning letters sent")
async def list_dunning_notices(
    session: SessionDep, _: AnyRole, page: PageQuery, customer_id: uuid.UUID | None = None
) -> Page[DunningNoticeOut]:
    """Letters sent, oldest first, optionally for one customer."""
    return await page_of(
        session,
        dunning_notices(customer_id),
        order_by=[col(DunningNotice.sent_on), col(DunningNotice.id)],
        params=page,
        item=DunningNoticeOut.model_validate,
    )
