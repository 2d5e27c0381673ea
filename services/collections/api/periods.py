"""Period close routes."""

from typing import Annotated

from fastapi import Path, status

from services.collections.api.dependencies import SettingsDep
from services.collections.commands.ar_pack import send_ar_pack
from services.collections.commands.periods import close_period, reopen_period
from services.collections.queries.kpis import Month
from services.collections.queries.periods import closed_periods
from services.collections.schemas import ClosedPeriodOut, ReopenIn
from shared.api.access import AnyRole, ARSupervisor
from shared.api.dates import BoundedMonth
from shared.api.routing import service_router
from shared.api.transaction import SessionDep
from shared.clock import ClockDep

router = service_router("/v1/periods", "period close")

Period = Annotated[BoundedMonth, Path()]


@router.post("/{period}/close", status_code=status.HTTP_201_CREATED, summary="Close a month")
async def close(
    clock: ClockDep, period: Period, session: SessionDep, actor: ARSupervisor, settings: SettingsDep
) -> ClosedPeriodOut:
    """Close a month that has ended, the one after the last closed: the ledger's AR at its end
    is recorded, `PeriodClosed` tells invoicing and payments to post nothing dated in it, and
    the month's AR pack goes to the distribution list (AR_COLLECTIONS_AR_PACK_RECIPIENTS).
    A 409 problem if it is already closed. Supervisors only."""
    month = Month.parse(period)
    closed = await close_period(session, month, settings.chart.ar_control, actor, clock=clock)
    await send_ar_pack(session, settings, month, clock.zone, actor)
    return ClosedPeriodOut.model_validate(closed)


@router.post("/{period}/reopen", summary="Reopen a closed month")
async def reopen(
    period: Period, data: ReopenIn, session: SessionDep, actor: ARSupervisor
) -> ClosedPeriodOut:
    """Reopen the last closed month, with a reason: `PeriodReopened` lets invoicing and payments
    post documents dated in it again until it is closed anew (which records its figures again).
    Answers with the close that was undone. A 409 problem if the month is not closed; a 422 if
    a later month is still closed. Supervisors only."""
    closed = await reopen_period(session, Month.parse(period), data.reason, actor)
    return ClosedPeriodOut.model_validate(closed)


@router.get("", summary="Closed months")
async def list_closed(session: SessionDep, _: AnyRole) -> list[ClosedPeriodOut]:
    """Every closed month, newest first."""
    rows = await closed_periods(session)
    return [ClosedPeriodOut.model_validate(r) for r in rows]
