"""Rental contracts: open one, put its lines on and off rent, and read what each line was
billed and what it has earned but not been billed yet."""

import uuid
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import Path, Response, status
from sqlalchemy import Row

from services.invoicing.api.dependencies import SettingsDep
from services.invoicing.commands import rentals as commands
from services.invoicing.domain.rentals.contracts import accrued_unbilled
from services.invoicing.domain.rentals.cycles import Cycle, ProrationChoice, Timing
from services.invoicing.models.rentals import RentalContract, RentalLine
from services.invoicing.queries.rentals import (
    billed_of,
    charges_of,
    get_contract,
    get_line,
    lines_of,
    terms_of,
)
from services.invoicing.schemas.rentals import (
    MeterReadingIn,
    OffRentIn,
    OnRentIn,
    RentalChargeOut,
    RentalContractIn,
    RentalContractOut,
    RentalLineOut,
)
from shared.api.access import AnyRole, ARStaffAndSystems
from shared.api.routing import service_router
from shared.api.transaction import SessionDep
from shared.clock import ClockDep, check_not_ahead

router = service_router("/v1/rental-contracts", "assets on rent")

LineNumber = Annotated[int, Path(ge=1, le=500)]


def _line_out(
    line: RentalLine,
    contract: RentalContract,
    charges: list[Row[Any]],
    billed: Decimal,
    today: date,
) -> RentalLineOut:
    accrued = Decimal(0)
    if line.on_rent_date is not None:
        accrued = accrued_unbilled(terms_of(line, contract), billed, today)
    return RentalLineOut(
        id=line.id,
        line_number=line.line_number,
        asset_id=line.asset_id,
        asset_class=line.asset_class,
        quantity=line.quantity,
        description=line.description,
        on_rent_date=line.on_rent_date,
        off_rent_date=line.off_rent_date,
        billed=billed,
        accrued_unbilled=accrued,
        charges=[RentalChargeOut.model_validate(c, from_attributes=True) for c in charges],
    )


async def _out(session: SessionDep, contract: RentalContract, clock: ClockDep) -> RentalContractOut:
    lines = await lines_of(session, contract.id)
    charges = await charges_of(session, [line.id for line in lines])
    billed = await billed_of(session, [line.id for line in lines])
    today = clock.today()
    return RentalContractOut(
        id=contract.id,
        contract_number=contract.contract_number,
        customer_id=contract.customer_id,
        currency=contract.currency,
        business_district=contract.business_district,
        job_site=contract.job_site,
        po_number=contract.po_number,
        cycle=Cycle(contract.cycle),
        timing=Timing(contract.timing),
        proration_start=ProrationChoice(contract.proration_start),
        proration_end=ProrationChoice(contract.proration_end),
        damage_waiver_percent=contract.damage_waiver_percent,
        lines=[
            _line_out(line, contract, charges[line.id], billed[line.id].rent, today)
            for line in lines
        ],
    )


@router.post("", status_code=status.HTTP_201_CREATED, summary="Open a rental contract")
async def open_contract(
    data: RentalContractIn,
    session: SessionDep,
    actor: ARStaffAndSystems,
    clock: ClockDep,
    response: Response,
) -> RentalContractOut:
    """A customer's rental at a job site with its lines (an asset each, or a quantity of a
    class), their rate tables and fees, the billing cycle and whether it bills in advance or
    in arrears (audited). A contract number used already is a 409."""
    contract = await commands.open_contract(session, data, actor)
    response.headers["Location"] = f"{router.prefix}/{contract.id}"
    return await _out(session, contract, clock)


@router.get("/{contract_id}", summary="Read a rental contract")
async def read_contract(
    contract_id: uuid.UUID, session: SessionDep, _: AnyRole, clock: ClockDep
) -> RentalContractOut:
    """The contract, each line's dates, every cycle billed with its explanation, the rent
    billed and what it has earned to today but not been billed."""
    return await _out(session, await get_contract(session, contract_id), clock)


@router.post("/{contract_id}/lines/{line_number}/on-rent", summary="Put a line on rent")
async def on_rent(
    contract_id: uuid.UUID,
    line_number: LineNumber,
    data: OnRentIn,
    session: SessionDep,
    actor: ARStaffAndSystems,
    clock: ClockDep,
    settings: SettingsDep,
) -> RentalContractOut:
    """On rent from the date; its asset shows on rent at the contract's job site. The same date
    again changes nothing; another date is a 422."""
    today = clock.today()
    check_not_ahead(
        data.on, today=today, tolerance_days=settings.max_future_days, what="the on-rent date"
    )
    contract = await get_contract(session, contract_id)
    line = await get_line(session, contract_id, line_number, lock=True)
    await commands.put_on_rent(session, contract, line, data.on, today, actor)
    return await _out(session, contract, clock)


@router.post("/{contract_id}/lines/{line_number}/off-rent", summary="Take a line off rent")
async def off_rent(
    contract_id: uuid.UUID,
    line_number: LineNumber,
    data: OffRentIn,
    session: SessionDep,
    actor: ARStaffAndSystems,
    clock: ClockDep,
    settings: SettingsDep,
) -> RentalContractOut:
    """Back on the date (that day is not charged); its asset is available in the district.
    Rent billed in advance past it is credited by a credit memo linked to that invoice (its
    charge shows `credit_memo_id`)."""
    today = clock.today()
    check_not_ahead(
        data.on, today=today, tolerance_days=settings.max_future_days, what="the off-rent date"
    )
    contract = await get_contract(session, contract_id)
    line = await get_line(session, contract_id, line_number, lock=True)
    await commands.take_off_rent(
        session,
        contract,
        line,
        data.on,
        data.meter_hours,
        today,
        actor,
        settings=settings,
        clock=clock,
    )
    return await _out(session, contract, clock)


@router.post("/{contract_id}/lines/{line_number}/meter-readings", summary="Read a line's meter")
async def read_meter(
    contract_id: uuid.UUID,
    line_number: LineNumber,
    data: MeterReadingIn,
    session: SessionDep,
    actor: ARStaffAndSystems,
    clock: ClockDep,
    settings: SettingsDep,
) -> RentalContractOut:
    """Hours on the meter since on-rent, read between cycles (audited): the next billing run
    bills the hours beyond what the cycles' periods include. A line without a meter allowance,
    a day it was not on rent, or fewer hours than the last reading is a 422."""
    check_not_ahead(
        data.read_on,
        today=clock.today(),
        tolerance_days=settings.max_future_days,
        what="the reading date",
    )
    contract = await get_contract(session, contract_id)
    line = await get_line(session, contract_id, line_number, lock=True)
    await commands.read_meter(session, contract, line, data.read_on, data.hours, actor)
    return await _out(session, contract, clock)
