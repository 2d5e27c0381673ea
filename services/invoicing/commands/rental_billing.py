"""The billing run's rental and storage hook: the rent and fees due by a run's cut-off on the
districts' contract lines, and their storage periods due, as invoice lines beside the tickets,
and the record of what each line's cycle (each schedule's period) was billed, written in the
drafting transaction. Their unique keys (line, cycle, kind; schedule, period) mean no crash,
rerun or concurrent run bills a cycle or a period twice."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from services.invoicing.domain.rentals import storage as storage_rules
from services.invoicing.domain.rentals.contracts import LineCharge, due_charges
from services.invoicing.domain.rentals.cycles import Timing
from services.invoicing.models.rentals import (
    RentalCharge,
    RentalContract,
    RentalLine,
    StorageCharge,
    StorageSchedule,
)
from services.invoicing.queries.rentals import (
    billed_of,
    lines_to_bill,
    schedule_terms,
    schedules_to_bill,
    storage_charges_of,
    terms_of,
)
from shared.clock import utc_now
from shared.db import insert_rows
from shared.events.invoicing import InvoiceLineFacts

RENTAL_SERVICE_LINE = "rental"
STORAGE_SERVICE_LINE = "storage"
# Storage is taxed as a rental of the space unless a jurisdiction is set up otherwise.
STORAGE_TAXABILITY = "rental"


@dataclass(frozen=True)
class DueStorage:
    """One storage schedule's periods due in a run; groups with tickets like a ticket does."""

    schedule: StorageSchedule
    charges: list[storage_rules.StorageCharge]

    @property
    def id(self) -> uuid.UUID:
        return self.schedule.id

    @property
    def customer_id(self) -> uuid.UUID:
        return self.schedule.customer_id

    @property
    def currency(self) -> str:
        return self.schedule.currency

    @property
    def po_number(self) -> str | None:
        return self.schedule.po_number

    @property
    def job_site(self) -> str | None:
        return self.schedule.job_site

    @property
    def job_site_address(self) -> dict[str, Any] | None:
        return None

    @property
    def sales_rep(self) -> str | None:
        return None

    @property
    def label(self) -> str:
        return f"storage/{self.schedule.id}"

    def invoice_lines(self) -> list[InvoiceLineFacts]:
        return [
            InvoiceLineFacts(
                description=f"{self.schedule.description}: {charge.explanation}",
                quantity=Decimal(1),
                unit="period",
                unit_price=charge.amount,
                amount=charge.amount,
                taxability=STORAGE_TAXABILITY,
                service_line=STORAGE_SERVICE_LINE,
            )
            for charge in self.charges
            if charge.amount
        ]


@dataclass(frozen=True)
class DueRental:
    """One contract line's charges due in a run; groups with tickets like a ticket does."""

    line: RentalLine
    contract: RentalContract
    charges: list[LineCharge]

    @property
    def id(self) -> uuid.UUID:
        return self.line.id

    @property
    def customer_id(self) -> uuid.UUID:
        return self.contract.customer_id

    @property
    def currency(self) -> str:
        return self.contract.currency

    @property
    def po_number(self) -> str | None:
        return self.contract.po_number

    @property
    def job_site(self) -> str:
        return self.contract.job_site

    @property
    def job_site_address(self) -> dict[str, Any] | None:
        return self.contract.job_site_address

    @property
    def sales_rep(self) -> str | None:
        return self.contract.sales_rep

    @property
    def label(self) -> str:
        return f"{self.contract.contract_number}/{self.line.line_number}"

    def invoice_lines(self) -> list[InvoiceLineFacts]:
        return [
            InvoiceLineFacts(
                description=charge.description,
                quantity=self.line.quantity,
                unit="cycle",
                unit_price=charge.amount / self.line.quantity,
                amount=charge.amount,
                taxability=charge.taxability,
                service_line=RENTAL_SERVICE_LINE,
            )
            for charge in self.charges
            if charge.amount
        ]


Recurring = DueRental | DueStorage


async def due_recurring(
    session: AsyncSession, districts: Sequence[str], cut_off: date, *, dry_run: bool
) -> list[Recurring]:
    """The rent and the storage due in a run of these districts by the cut-off."""
    rentals: list[Recurring] = [*await _due_rentals(session, districts, cut_off, dry_run=dry_run)]
    schedules = await schedules_to_bill(session, districts, cut_off, lock=not dry_run)
    billed = await storage_charges_of(session, [s.id for s in schedules])
    for schedule in schedules:
        last = max((c.period_number for c in billed[schedule.id]), default=0)
        advance = schedule.timing == Timing.ADVANCE
        due = storage_rules.due_periods(schedule_terms(schedule), advance, last, cut_off)
        if due:
            rentals.append(DueStorage(schedule, due))
    return rentals


async def _due_rentals(
    session: AsyncSession, districts: Sequence[str], cut_off: date, *, dry_run: bool
) -> list[DueRental]:
    """Every line of the districts' contracts with charges due by the cut-off. A line back
    with nothing left to bill is marked settled (in a real run), so later runs skip it."""
    lines = await lines_to_bill(session, districts, cut_off, lock=not dry_run)
    billed = await billed_of(session, [line.id for line, _ in lines])
    due, settled = [], []
    for line, contract in lines:
        found = due_charges(terms_of(line, contract), billed[line.id], cut_off)
        if found:
            due.append(DueRental(line, contract, found))
        elif line.off_rent_date is not None and line.off_rent_date <= cut_off:
            settled.append(line.id)
    if settled and not dry_run:
        await session.exec(
            update(RentalLine).where(col(RentalLine.id).in_(settled)).values(settled=True)
        )
    return due


async def record_billed(
    session: AsyncSession, billed: Sequence[tuple[Recurring, uuid.UUID]], run_id: uuid.UUID
) -> None:
    """What each line's cycles and each schedule's periods were billed, and on which draft, in
    the drafting transaction."""
    now = utc_now()
    periods = [
        {
            "id": uuid.uuid4(),
            "schedule_id": due.schedule.id,
            "customer_id": due.schedule.customer_id,
            "period_number": charge.number,
            "amount": charge.amount,
            "description": charge.explanation,
            "period_start": charge.start,
            "invoice_id": invoice_id,
            "billing_run_id": run_id,
            "credited": Decimal(0),
            "created_at": now,
        }
        for due, invoice_id in billed
        if isinstance(due, DueStorage)
        for charge in due.charges
    ]
    # One bulk load each (COPY on PostgreSQL): a month-end run writes a row per charge.
    await session.run_sync(insert_rows, StorageCharge.__table__, periods)
    rows = [
        {
            "id": uuid.uuid4(),
            "line_id": rental.line.id,
            "contract_id": rental.contract.id,
            "customer_id": rental.contract.customer_id,
            "cycle_number": charge.cycle_number,
            "kind": charge.kind.value,
            "amount": charge.amount,
            "description": charge.description,
            "billed_through": charge.billed_through,
            "invoice_id": invoice_id,
            "billing_run_id": run_id,
            "created_at": now,
        }
        for rental, invoice_id in billed
        if isinstance(rental, DueRental)
        for charge in rental.charges
    ]
    await session.run_sync(insert_rows, RentalCharge.__table__, rows)
