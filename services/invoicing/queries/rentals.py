"""Reading rental contracts, their lines and what the lines were billed."""

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.invoicing.domain.invoices import InvoiceStatus
from services.invoicing.domain.rentals import storage as storage_rules
from services.invoicing.domain.rentals.contracts import Billed, ChargeKind, LineTerms
from services.invoicing.domain.rentals.cycles import Cycle, Proration, ProrationChoice, Timing
from services.invoicing.domain.rentals.meters import MeterAllowance
from services.invoicing.domain.rentals.rates import RateTable, RentalRuleBroken
from services.invoicing.models.invoices import Invoice
from services.invoicing.models.rentals import (
    RentalCharge,
    RentalContract,
    RentalLine,
    StorageCharge,
    StorageSchedule,
)
from shared.api.problems import NotFound
from shared.db import chunks, on_postgres


async def get_contract(session: AsyncSession, contract_id: uuid.UUID) -> RentalContract:
    contract = await session.get(RentalContract, contract_id)
    if contract is None:
        raise NotFound(f"no rental contract {contract_id}")
    return contract


async def contract_by_number(session: AsyncSession, number: str) -> RentalContract | None:
    found = await session.exec(
        select(RentalContract).where(RentalContract.contract_number == number)
    )
    return found.first()


async def lines_of(session: AsyncSession, contract_id: uuid.UUID) -> list[RentalLine]:
    found = await session.exec(
        select(RentalLine)
        .where(RentalLine.contract_id == contract_id)
        .order_by(col(RentalLine.line_number))
    )
    return list(found.all())


async def get_line(
    session: AsyncSession, contract_id: uuid.UUID, line_number: int, *, lock: bool = False
) -> RentalLine:
    statement = select(RentalLine).where(
        RentalLine.contract_id == contract_id, RentalLine.line_number == line_number
    )
    if lock:
        statement = statement.with_for_update()
    line = (await session.exec(statement)).first()
    if line is None:
        raise NotFound(f"the contract has no line {line_number}")
    return line


# What a line's charges are read as: plain rows, since a run reads every charge of every line
# it bills (hundreds of thousands) and building entities of them cost most of a run's time.
CHARGE_COLUMNS = (
    RentalCharge.line_id,
    RentalCharge.cycle_number,
    RentalCharge.kind,
    RentalCharge.amount,
    RentalCharge.description,
    RentalCharge.billed_through,
    RentalCharge.invoice_id,
    RentalCharge.credit_memo_id,
)


async def charges_of(
    session: AsyncSession, line_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Row[Any]]]:
    """Each line's charges, oldest cycle first, as rows with the charge's attribute names."""
    found: dict[uuid.UUID, list[Row[Any]]] = defaultdict(list)
    for chunk in chunks(line_ids):
        rows = await session.exec(
            select(*CHARGE_COLUMNS)
            .where(col(RentalCharge.line_id).in_(chunk))
            .order_by(col(RentalCharge.cycle_number), col(RentalCharge.kind))
        )
        for charge in rows.all():
            found[charge.line_id].append(charge)
    return found


def billed_so_far(charges: Iterable[Row[Any]]) -> Billed:
    """Rent billed less rent credited, excess hours billed, the last rent cycle billed, the
    cycles whose pick-up was billed."""
    rent, excess, last, pickups = Decimal(0), Decimal(0), 0, set()
    for charge in charges:
        if charge.kind in BILLED_RENT:
            rent += charge.amount
        if charge.kind == ChargeKind.RENT:
            last = max(last, charge.cycle_number)
        if charge.kind == ChargeKind.EXCESS_HOURS:
            excess += charge.amount
        if charge.kind == ChargeKind.PICKUP:
            pickups.add(charge.cycle_number)
    return Billed(rent, excess, last, frozenset(pickups))


BILLED_RENT = (ChargeKind.RENT, ChargeKind.CREDIT)


async def billed_of(
    session: AsyncSession, line_ids: Sequence[uuid.UUID], *, drafts_unbilled: bool = False
) -> dict[uuid.UUID, Billed]:
    """`billed_so_far` of each line. With `drafts_unbilled`, what a draft bills does not count
    (it is not billed yet). On PostgreSQL the database sums: a run asks it of every line it
    bills, and reading each charge row into Python cost most of the run's time; SQLite, whose
    sums of text amounts would be floats, folds the rows."""
    if not on_postgres(session):
        charges = await charges_of(session, line_ids)
        drafts = set()
        if drafts_unbilled:
            invoices = {c.invoice_id for cs in charges.values() for c in cs if c.invoice_id}
            drafts = await draft_invoice_ids(session, invoices)
        return {
            line_id: billed_so_far(c for c in charges[line_id] if c.invoice_id not in drafts)
            for line_id in line_ids
        }
    kind = col(RentalCharge.kind)
    totals = select(
        RentalCharge.line_id,
        func.coalesce(func.sum(RentalCharge.amount).filter(kind.in_(BILLED_RENT)), 0),
        func.coalesce(func.sum(RentalCharge.amount).filter(kind == ChargeKind.EXCESS_HOURS), 0),
        func.coalesce(func.max(RentalCharge.cycle_number).filter(kind == ChargeKind.RENT), 0),
    ).group_by(col(RentalCharge.line_id))
    pickups = select(RentalCharge.line_id, RentalCharge.cycle_number).where(
        kind == ChargeKind.PICKUP
    )
    if drafts_unbilled:
        billed = or_(
            col(RentalCharge.invoice_id).is_(None),
            col(RentalCharge.invoice_id).not_in(
                select(Invoice.id).where(Invoice.status == InvoiceStatus.DRAFT)
            ),
        )
        totals, pickups = totals.where(billed), pickups.where(billed)
    found = {line_id: Billed() for line_id in line_ids}
    picked: dict[uuid.UUID, set[int]] = defaultdict(set)
    for chunk in chunks(line_ids):
        within = col(RentalCharge.line_id).in_(chunk)
        for line_id, rent, excess, last in await session.exec(totals.where(within)):
            found[line_id] = Billed(rent, excess, last)
        for line_id, cycle in await session.exec(pickups.where(within)):
            picked[line_id].add(cycle)
    for line_id, cycles in picked.items():
        found[line_id] = replace(found[line_id], pickups=frozenset(cycles))
    return found


async def lines_to_bill(
    session: AsyncSession, districts: Sequence[str], cut_off: date, *, lock: bool
) -> list[tuple[RentalLine, RentalContract]]:
    """Lines of the districts' contracts on rent by the cut-off, by contract and line."""
    statement = (
        select(RentalLine, RentalContract)
        .join(RentalContract, col(RentalContract.id) == col(RentalLine.contract_id))
        .where(
            col(RentalContract.business_district).in_(districts),
            col(RentalLine.on_rent_date).is_not(None),
            col(RentalLine.on_rent_date) <= cut_off,
            col(RentalLine.settled).is_(False),
        )
        .order_by(col(RentalContract.contract_number), col(RentalLine.line_number))
    )
    if lock:
        # A concurrent run skips the lines this one bills instead of billing them too.
        statement = statement.with_for_update(of=RentalLine, skip_locked=True)  # type: ignore[arg-type]
    return [(line, contract) for line, contract in (await session.exec(statement)).all()]


async def get_schedule(
    session: AsyncSession, schedule_id: uuid.UUID, *, lock: bool = False
) -> StorageSchedule:
    statement = select(StorageSchedule).where(StorageSchedule.id == schedule_id)
    if lock:
        statement = statement.with_for_update()
    row = (await session.exec(statement)).first()
    if row is None:
        raise NotFound(f"no storage schedule {schedule_id}")
    return row


async def storage_charges_of(
    session: AsyncSession, schedule_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[StorageCharge]]:
    found: dict[uuid.UUID, list[StorageCharge]] = defaultdict(list)
    for chunk in range(0, len(schedule_ids), 5000):
        rows = await session.exec(
            select(StorageCharge)
            .where(col(StorageCharge.schedule_id).in_(schedule_ids[chunk : chunk + 5000]))
            .order_by(col(StorageCharge.period_number))
        )
        for charge in rows.all():
            found[charge.schedule_id].append(charge)
    return found


async def schedules_to_bill(
    session: AsyncSession, districts: Sequence[str], cut_off: date, *, lock: bool
) -> list[StorageSchedule]:
    statement = (
        select(StorageSchedule)
        .where(
            col(StorageSchedule.business_district).in_(districts),
            col(StorageSchedule.start) <= cut_off,
        )
        .order_by(col(StorageSchedule.created_at), col(StorageSchedule.id))
    )
    if lock:
        statement = statement.with_for_update(skip_locked=True)
    return list((await session.exec(statement)).all())


async def customer_rentals(
    session: AsyncSession, customer_ids: Sequence[uuid.UUID]
) -> list[tuple[RentalLine, RentalContract]]:
    """These customers' lines ever on rent and not settled: what may still accrue."""
    found: list[tuple[RentalLine, RentalContract]] = []
    for chunk in range(0, len(customer_ids), 5000):
        rows = await session.exec(
            select(RentalLine, RentalContract)
            .join(RentalContract, col(RentalContract.id) == col(RentalLine.contract_id))
            .where(
                col(RentalContract.customer_id).in_(customer_ids[chunk : chunk + 5000]),
                col(RentalLine.on_rent_date).is_not(None),
                col(RentalLine.settled).is_(False),
            )
        )
        found.extend((line, contract) for line, contract in rows.all())
    return found


async def customer_schedules(
    session: AsyncSession, customer_ids: Sequence[uuid.UUID]
) -> list[StorageSchedule]:
    found: list[StorageSchedule] = []
    for chunk in range(0, len(customer_ids), 5000):
        rows = await session.exec(
            select(StorageSchedule).where(
                col(StorageSchedule.customer_id).in_(customer_ids[chunk : chunk + 5000])
            )
        )
        found.extend(rows.all())
    return found


async def draft_invoice_ids(session: AsyncSession, invoice_ids: set[uuid.UUID]) -> set[uuid.UUID]:
    """Which of these invoices are still drafts: what they bill is not billed yet."""
    if not invoice_ids:
        return set()
    found = await session.exec(
        select(Invoice.id).where(
            col(Invoice.id).in_(invoice_ids), Invoice.status == InvoiceStatus.DRAFT
        )
    )
    return set(found.all())


def terms_of(line: RentalLine, contract: RentalContract) -> LineTerms:
    if line.on_rent_date is None:
        raise RentalRuleBroken(f"line {line.line_number} is not on rent")
    meter = None
    if line.meter:
        meter = MeterAllowance(
            rate=Decimal(line.meter["excess_rate"]),
            per_day=Decimal(line.meter.get("per_day", 0)),
            per_week=Decimal(line.meter.get("per_week", 0)),
            per_four_weeks=Decimal(line.meter.get("per_four_weeks", 0)),
            per_month=Decimal(line.meter.get("per_month", 0)),
        )
    return LineTerms(
        table=RateTable(
            contract.currency,
            daily=line.daily,
            weekly=line.weekly,
            four_weeks=line.four_weeks,
            monthly=line.monthly,
            minimum=line.minimum,
            month_days=line.month_days,
        ),
        cycle=Cycle(contract.cycle),
        timing=Timing(contract.timing),
        on_rent=line.on_rent_date,
        off_rent=line.off_rent_date,
        description=line.description,
        quantity=line.quantity,
        damage_waiver_percent=contract.damage_waiver_percent,
        environmental_fee=line.environmental_fee,
        delivery_charge=line.delivery_charge,
        pickup_charge=line.pickup_charge,
        meter=meter,
        meter_hours=line.meter_hours,
        proration=Proration(
            ProrationChoice(contract.proration_start), ProrationChoice(contract.proration_end)
        ),
    )


def schedule_terms(row: StorageSchedule) -> storage_rules.StorageSchedule:
    return storage_rules.StorageSchedule(
        currency=row.currency,
        period=storage_rules.StoragePeriod(row.period),
        start=row.start,
        end=row.end,
        units=row.units,
        prices=tuple(
            storage_rules.Price(date.fromisoformat(p["effective"]), Decimal(p["amount"]))
            for p in row.prices
        ),
        pauses=tuple(
            (
                date.fromisoformat(p["start"]),
                date.fromisoformat(p["end"]) if p.get("end") else None,
            )
            for p in row.pauses
        ),
    )


async def customers_billed_in_run(session: AsyncSession, run_id: uuid.UUID) -> set[uuid.UUID]:
    """Customers whose rent or storage the run billed."""
    rent = await session.exec(
        select(RentalCharge.customer_id).where(RentalCharge.billing_run_id == run_id).distinct()
    )
    stored = await session.exec(
        select(StorageCharge.customer_id).where(StorageCharge.billing_run_id == run_id).distinct()
    )
    return set(rent.all()) | set(stored.all())


async def customers_renting(session: AsyncSession) -> set[uuid.UUID]:
    """Customers with a line on rent and not settled, or a storage schedule."""
    lines = await session.exec(
        select(RentalContract.customer_id)
        .join(RentalLine, col(RentalLine.contract_id) == col(RentalContract.id))
        .where(col(RentalLine.on_rent_date).is_not(None), col(RentalLine.settled).is_(False))
        .distinct()
    )
    stored = await session.exec(select(StorageSchedule.customer_id).distinct())
    return set(lines.all()) | set(stored.all())
