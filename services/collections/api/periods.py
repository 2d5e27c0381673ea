"""Period close routes."""

from typing import Annotated

from fastapi import Path, status

from services.collections.api.dependencies import SettingsDep
from services.collections.commands.ar_pack import send_ar_pack
from services.collections.commands.periods import close_period, reopen_period
from services.collections.queries.kpis import Month
from services.collections.queries.periods import arrived_since_close, closed_periods, get_closed
from services.collections.queries.tie_out import tie_out
from services.collections.schemas import (
    ClosedPeriodOut,
    CloseIn,
    LateEntryOut,
    PeriodReportOut,
    ReopenIn,
)
from shared.api.access import AnyRole, ARSupervisor
from shared.api.dates import BoundedMonth
from shared.api.routing import service_router
from shared.api.transaction import SessionDep
from shared.clock import ClockDep
from shared.money import round_money

router = service_router("/v1/periods", "period close")

Period = Annotated[BoundedMonth, Path()]


@router.post("/{period}/close", status_code=status.HTTP_201_CREATED, summary="Close a month")
async def close(
    clock: ClockDep,
    period: Period,
    session: SessionDep,
    actor: ARSupervisor,
    settings: SettingsDep,
    data: CloseIn | None = None,
) -> ClosedPeriodOut:
    """Close a month that has ended, the one after the last closed, once its checklist is
    complete (`GET /v1/periods/{period}/checklist`), or with `override_reason`, kept with the
    items still open. The ledger's AR, the aging and the KPIs at its end are recorded as they
    stand and never change, `PeriodClosed` tells invoicing and payments to post nothing dated
    in it, and the month's AR pack goes to the distribution list
    (AR_COLLECTIONS_AR_PACK_RECIPIENTS). A 422 (`close-checklist-incomplete`, naming the
    items) without an override; a 409 problem if it is already closed. Supervisors only."""
    month = Month.parse(period)
    closed = await close_period(
        session,
        month,
        settings.chart.ar_control,
        actor,
        clock=clock,
        stale_days=settings.unbilled_stale_days,
        override_reason=data.override_reason if data else None,
    )
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


@router.get("/{period}", summary="A closed month as known at the close and as known now")
async def read_closed(
    period: Period, session: SessionDep, _: AnyRole, settings: SettingsDep
) -> PeriodReportOut:
    """The figures kept at the close (AR, aging, KPIs, the checklist override) beside the AR
    at the month's end as known now, and every entry dated in the month that reached the
    ledger after the close. A 404 problem if the month is not closed."""
    closed = await get_closed(session, period)
    late = await arrived_since_close(session, closed)
    now = await tie_out(session, closed.closed_through, settings.chart.ar_control)
    return PeriodReportOut(
        as_known_at_close=ClosedPeriodOut.model_validate(closed),
        changed_since_close=bool(late),
        ar_balance_now={t.currency: round_money(t.ledger, t.currency) for t in now},
        arrived_since_close=[LateEntryOut.model_validate(e, from_attributes=True) for e in late],
    )


@router.get("", summary="Closed months")
async def list_closed(session: SessionDep, _: AnyRole) -> list[ClosedPeriodOut]:
    """Every closed month, newest first."""
    rows = await closed_periods(session)
    return [ClosedPeriodOut.model_validate(r) for r in rows]
