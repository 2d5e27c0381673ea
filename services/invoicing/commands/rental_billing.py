"""The billing run's rental hook: the rent and fees due by a run's cut-off on the districts'
contract lines, as invoice lines beside the tickets, and the record of what each line's cycle
was billed, written in the drafting transaction. Its unique key (line, cycle, kind) means no
crash, rerun or concurrent run bills a cycle twice."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import insert, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from services.invoicing.commands.rentals import terms_of
from services.invoicing.domain.rentals.contracts import LineCharge, due_charges
from services.invoicing.models.rentals import RentalCharge, RentalContract, RentalLine
from services.invoicing.queries.rentals import billed_so_far, charges_of, lines_to_bill
from shared.events.invoicing import InvoiceLineFacts

RENTAL_SERVICE_LINE = "rental"


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


async def due_rentals(
    session: AsyncSession, districts: Sequence[str], cut_off: date, *, dry_run: bool
) -> list[DueRental]:
    """Every line of the districts' contracts with charges due by the cut-off. A line back
    with nothing left to bill is marked settled (in a real run), so later runs skip it."""
    lines = await lines_to_bill(session, districts, cut_off, lock=not dry_run)
    charges = await charges_of(session, [line.id for line, _ in lines])
    due, settled = [], []
    for line, contract in lines:
        found = due_charges(terms_of(line, contract), billed_so_far(charges[line.id]), cut_off)
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
    session: AsyncSession, billed: Sequence[tuple[DueRental, uuid.UUID]], run_id: uuid.UUID
) -> None:
    """What each line's cycles were billed, and on which draft, in the drafting transaction."""
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
        }
        for rental, invoice_id in billed
        for charge in rental.charges
    ]
    if rows:
        await session.exec(insert(RentalCharge), params=rows)
