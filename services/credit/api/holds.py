"""Credit holds placed and released by hand; automatic ones show here too."""

import uuid
from typing import Annotated

from fastapi import Query, Response, status

from services.credit.api.dependencies import Settings
from services.credit.commands import holds as holding
from services.credit.queries.accounts import get_account
from services.credit.queries.holds import HOLD_ORDER, search_holds
from services.credit.schemas import HoldIn, HoldOut, ReleaseIn
from shared.api.access import AnyRole, CreditDecider
from shared.api.pagination import Page, PageQuery, page_of
from shared.api.routing import service_router
from shared.api.transaction import SessionDep
from shared.clock import ClockDep

router = service_router("/v1/credit-holds", "credit holds")


@router.post("", status_code=status.HTTP_201_CREATED, summary="Put a customer on credit hold")
async def place_hold(
    data: HoldIn, session: SessionDep, actor: CreditDecider, response: Response
) -> HoldOut:
    """Hold the customer by hand, with a reason; it stays until a person releases it.
    Publishes `CreditHoldPlaced`. A 409 problem if the customer is already on hold."""
    await get_account(session, data.customer_id, lock=True)
    hold = await holding.hold_by_hand(session, data.customer_id, data.reason, actor)
    response.headers["Location"] = f"{router.prefix}?customer_id={data.customer_id}"
    return HoldOut.model_validate(hold)


@router.post("/{customer_id}/release", summary="Release a customer's credit hold")
async def release_hold(
    clock: ClockDep,
    customer_id: uuid.UUID,
    data: ReleaseIn,
    session: SessionDep,
    actor: CreditDecider,
    settings: Settings,
) -> HoldOut:
    """Release the open hold (placed by hand or automatically) with a reason. Publishes
    `CreditHoldReleased`. A 409 problem if there is no open hold. The release stands until the
    facts go beyond what it saw: exposure further over the limit, or another invoice past the
    threshold; the hold that comes back says which."""
    await get_account(session, customer_id, lock=True)
    return HoldOut.model_validate(
        await holding.release_by_hand(
            session, customer_id, data.reason, actor, settings, clock=clock
        )
    )


@router.get("", summary="List credit holds")
async def list_holds(
    session: SessionDep,
    _: AnyRole,
    page: PageQuery,
    customer_id: uuid.UUID | None = None,
    open_only: Annotated[bool, Query(description="Only holds not released yet")] = False,
) -> Page[HoldOut]:
    """Holds matching the filters, oldest first, a page at a time."""
    statement = search_holds(customer_id=customer_id, open_only=open_only)
    return await page_of(
        session,
        statement,
        order_by=HOLD_ORDER,
        params=page,
        item=HoldOut.model_validate,
    )
