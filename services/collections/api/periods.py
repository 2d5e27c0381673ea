"""Period close routes."""

from typing import Annotated

from fastapi import APIRouter, Path, status
from sqlmodel import col, select

from services.collections.api.deps import SettingsDep
from services.collections.kpis import Month
from services.collections.models import ClosedPeriod
from services.collections.periods import close_period
from services.collections.schemas import ClosedPeriodOut
from shared.api.problems import PROBLEM_RESPONSES
from shared.api.transaction import SessionDep, TransactionalRoute
from shared.auth import ALL_ROLES, Principal, Role, require_roles
from shared.clock import ClockDep

router = APIRouter(
    prefix="/v1/periods",
    tags=["period close"],
    route_class=TransactionalRoute,
    responses=PROBLEM_RESPONSES,
)

Reader = Annotated[Principal, require_roles(*ALL_ROLES)]
Supervisor = Annotated[Principal, require_roles(Role.AR_SUPERVISOR)]
Period = Annotated[str, Path(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", examples=["2026-10"])]


@router.post("/{period}/close", status_code=status.HTTP_201_CREATED, summary="Close a month")
async def close(
    clock: ClockDep, period: Period, session: SessionDep, actor: Supervisor, settings: SettingsDep
) -> ClosedPeriodOut:
    """Close a month that has ended, the one after the last closed: the ledger's AR at its end
    is recorded and `PeriodClosed` tells invoicing and payments to post nothing dated in it.
    A 409 problem if it is already closed. Supervisors only."""
    closed = await close_period(
        session, Month.parse(period), settings.ar_control_account, actor, clock=clock
    )
    return ClosedPeriodOut.model_validate(closed)


@router.get("", summary="Closed months")
async def list_closed(session: SessionDep, _: Reader) -> list[ClosedPeriodOut]:
    """Every closed month, newest first."""
    rows = (
        await session.exec(select(ClosedPeriod).order_by(col(ClosedPeriod.period).desc()))
    ).all()
    return [ClosedPeriodOut.model_validate(r) for r in rows]
