"""The month's close checklist: what the data say, and who signed each item."""

from typing import Annotated

from fastapi import Path

from services.collections.api.dependencies import SettingsDep
from services.collections.commands.checklist import sign_item
from services.collections.queries.close import ChecklistLine, checklist
from services.collections.queries.kpis import Month
from services.collections.schemas import ChecklistItemOut, ChecklistOut, SignIn
from shared.api.access import AnyRole, ARStaff
from shared.api.dates import BoundedMonth
from shared.api.routing import service_router
from shared.api.transaction import SessionDep
from shared.clock import ClockDep

router = service_router("/v1/periods", "period close")

Period = Annotated[BoundedMonth, Path()]


def _item_out(line: ChecklistLine) -> ChecklistItemOut:
    signoff = line.signoff
    return ChecklistItemOut(
        item=line.check.key,
        title=line.check.title,
        computed=line.check.fact is not None,
        done=line.fact.done if line.fact else None,
        detail=line.fact.detail if line.fact else None,
        signed_by=signoff.signed_by if signoff else None,
        signed_at=signoff.signed_at if signoff else None,
        note=signoff.note if signoff else None,
        complete=line.complete,
    )


async def _checklist_out(session: SessionDep, period: str, settings: SettingsDep) -> ChecklistOut:
    lines = await checklist(session, Month.parse(period), settings.unbilled_stale_days)
    return ChecklistOut(
        period=period,
        complete=all(line.complete for line in lines),
        items=[_item_out(line) for line in lines],
    )


@router.get("/{period}/checklist", summary="The month's close checklist")
async def read_checklist(
    period: Period, session: SessionDep, _: AnyRole, settings: SettingsDep
) -> ChecklistOut:
    """Each item with what the data say where they decide it (receipts through the last
    business day, a signed reconciliation as of the month's end) or the figures the signer
    reviews (stale unbilled tickets, unapplied cash), and who signed it. Complete when every
    item is signed and none the data decide is undone."""
    return await _checklist_out(session, period, settings)


@router.post("/{period}/checklist/{item}/sign", summary="Sign an item of the close checklist")
async def sign(
    clock: ClockDep,
    period: Period,
    item: Annotated[str, Path(max_length=50)],
    session: SessionDep,
    actor: ARStaff,
    settings: SettingsDep,
    data: SignIn | None = None,
) -> ChecklistOut:
    """Sign an item as done, with an optional note; answers the whole checklist. A 404 problem
    for an item the checklist does not have, a 422 for one the data say is not done yet, a 409
    once the month is closed."""
    await sign_item(
        session,
        Month.parse(period),
        item,
        data.note if data else None,
        actor,
        stale_days=settings.unbilled_stale_days,
        clock=clock,
    )
    await session.flush()
    return await _checklist_out(session, period, settings)
