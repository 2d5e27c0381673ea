"""Recurring storage schedules: an amount per period or per unit stored, billed by the billing
runs, prorated by the days used."""

import uuid

from fastapi import Response, status

from services.invoicing.api.dependencies import SettingsDep
from services.invoicing.commands import storage as commands
from services.invoicing.domain.rentals.cycles import Timing
from services.invoicing.domain.rentals.storage import StoragePeriod
from services.invoicing.models.rentals import StorageSchedule
from services.invoicing.queries.rentals import get_schedule, storage_charges_of
from services.invoicing.schemas.storage import (
    EndIn,
    PauseIn,
    PriceIn,
    StorageChargeOut,
    StorageScheduleIn,
    StorageScheduleOut,
)
from shared.api.access import AnyRole, ARStaff
from shared.api.routing import service_router
from shared.api.transaction import SessionDep
from shared.clock import ClockDep

router = service_router("/v1/storage-schedules", "assets on rent")


async def _out(session: SessionDep, row: StorageSchedule) -> StorageScheduleOut:
    charges = (await storage_charges_of(session, [row.id]))[row.id]
    return StorageScheduleOut(
        id=row.id,
        customer_id=row.customer_id,
        currency=row.currency,
        business_district=row.business_district,
        description=row.description,
        period=StoragePeriod(row.period),
        timing=Timing(row.timing),
        start=row.start,
        end=row.end,
        units=row.units,
        prices=[PriceIn.model_validate(p) for p in row.prices],
        pauses=row.pauses,
        charges=[StorageChargeOut.model_validate(c, from_attributes=True) for c in charges],
    )


@router.post("", status_code=status.HTTP_201_CREATED, summary="Start a storage schedule")
async def start_schedule(
    data: StorageScheduleIn, session: SessionDep, actor: ARStaff, response: Response
) -> StorageScheduleOut:
    """Storage billed per calendar month or 28 days, in advance or in arrears, at a price per
    period (per unit when `units` is given), prorated by the days stored (audited)."""
    row = await commands.start_schedule(session, data, actor)
    response.headers["Location"] = f"{router.prefix}/{row.id}"
    return await _out(session, row)


@router.get("/{schedule_id}", summary="Read a storage schedule")
async def read_schedule(
    schedule_id: uuid.UUID, session: SessionDep, _: AnyRole
) -> StorageScheduleOut:
    """The schedule, its prices and pauses, and every period billed with its proration."""
    return await _out(session, await get_schedule(session, schedule_id))


@router.post("/{schedule_id}/prices", summary="Change the price from a date")
async def change_price(
    schedule_id: uuid.UUID, data: PriceIn, session: SessionDep, actor: ARStaff
) -> StorageScheduleOut:
    """A new price from its effective date on; a period spanning the change is prorated at
    each price for its days."""
    row = await get_schedule(session, schedule_id, lock=True)
    await commands.change_price(session, row, data, actor)
    return await _out(session, row)


@router.post("/{schedule_id}/pause", summary="Pause a storage schedule")
async def pause(
    schedule_id: uuid.UUID, data: PauseIn, session: SessionDep, actor: ARStaff
) -> StorageScheduleOut:
    """Paused days from the date on are not billed, until it resumes."""
    row = await get_schedule(session, schedule_id, lock=True)
    await commands.pause(session, row, data.on, actor)
    return await _out(session, row)


@router.post("/{schedule_id}/resume", summary="Resume a paused storage schedule")
async def resume(
    schedule_id: uuid.UUID, data: PauseIn, session: SessionDep, actor: ARStaff
) -> StorageScheduleOut:
    """Billed again from the date on."""
    row = await get_schedule(session, schedule_id, lock=True)
    await commands.resume(session, row, data.on, actor)
    return await _out(session, row)


@router.post("/{schedule_id}/end", summary="End a storage schedule")
async def end(
    schedule_id: uuid.UUID,
    data: EndIn,
    session: SessionDep,
    actor: ARStaff,
    settings: SettingsDep,
    clock: ClockDep,
) -> StorageScheduleOut:
    """The day it left is not billed; the last period is prorated. A period billed (in
    advance) past the end is credited by a credit memo on its invoice for what it was billed
    beyond the days stored; that invoice must be issued first (else a 409)."""
    row = await get_schedule(session, schedule_id, lock=True)
    await commands.end(session, row, data.on, actor, settings=settings, clock=clock)
    return await _out(session, row)
