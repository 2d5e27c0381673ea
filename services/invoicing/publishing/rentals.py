"""The rental events as invoicing publishes them: a line on rent, off rent, and a customer's
rent, storage and pass-through costs not billed yet (the figure credit and collections keep)."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from services.invoicing.domain.rentals import storage as storage_rules
from services.invoicing.domain.rentals.contracts import accrued_unbilled
from services.invoicing.models.rentals import RentalContract, RentalLine
from services.invoicing.publishing import outbox
from services.invoicing.queries.costs import unbilled_pass_through
from services.invoicing.queries.rentals import (
    billed_of,
    customer_rentals,
    customer_schedules,
    draft_invoice_ids,
    schedule_terms,
    storage_charges_of,
    terms_of,
)
from shared.events.invoicing import RentalAccrued, RentalEnded, RentalStarted
from shared.money import round_money


def publish_started(session: AsyncSession, contract: RentalContract, line: RentalLine) -> None:
    assert line.on_rent_date is not None
    outbox.add(
        session,
        RentalStarted(
            contract_id=contract.id,
            contract_number=contract.contract_number,
            line_number=line.line_number,
            customer_id=contract.customer_id,
            asset_id=line.asset_id,
            asset_class=line.asset_class,
            quantity=line.quantity,
            business_district=contract.business_district,
            job_site=contract.job_site,
            on_rent_date=line.on_rent_date,
        ),
        customer_id=str(contract.customer_id),
        aggregate_id=str(line.id),
    )


def publish_ended(
    session: AsyncSession,
    contract: RentalContract,
    line: RentalLine,
    credit_memo_id: uuid.UUID | None,
) -> None:
    assert line.on_rent_date is not None and line.off_rent_date is not None
    outbox.add(
        session,
        RentalEnded(
            contract_id=contract.id,
            contract_number=contract.contract_number,
            line_number=line.line_number,
            customer_id=contract.customer_id,
            asset_id=line.asset_id,
            on_rent_date=line.on_rent_date,
            off_rent_date=line.off_rent_date,
            credit_memo_id=credit_memo_id,
        ),
        customer_id=str(contract.customer_id),
        aggregate_id=str(line.id),
    )


@dataclass
class Accrued:
    rent: Decimal = Decimal(0)
    stored: Decimal = Decimal(0)
    currency: str | None = None


async def accrued_of(
    session: AsyncSession, customer_ids: Sequence[uuid.UUID], as_of: date
) -> dict[uuid.UUID, Accrued]:
    """Rent and storage each customer earned by `as_of` not on an issued invoice yet (what a
    draft bills is still unbilled), and their currency; read for all of them at once."""
    lines = await customer_rentals(session, customer_ids)
    billed = await billed_of(session, [line.id for line, _ in lines], drafts_unbilled=True)
    schedules = await customer_schedules(session, customer_ids)
    periods = await storage_charges_of(session, [s.id for s in schedules])
    invoice_ids = {c.invoice_id for ps in periods.values() for c in ps if c.invoice_id}
    drafts = await draft_invoice_ids(session, invoice_ids)
    found = {customer_id: Accrued() for customer_id in customer_ids}
    for line, contract in lines:
        row = found[contract.customer_id]
        row.rent += accrued_unbilled(terms_of(line, contract), billed[line.id].rent, as_of)
        row.currency = contract.currency
    for schedule in schedules:
        billed_periods = {
            c.period_number for c in periods[schedule.id] if c.invoice_id not in drafts
        }
        row = found[schedule.customer_id]
        row.stored += storage_rules.accrued(schedule_terms(schedule), billed_periods, as_of)
        row.currency = schedule.currency
    return found


async def publish_accrued(session: AsyncSession, customer_id: uuid.UUID, as_of: date) -> None:
    await publish_accrued_of(session, [customer_id], as_of)


async def publish_accrued_of(
    session: AsyncSession, customer_ids: Sequence[uuid.UUID], as_of: date
) -> None:
    """Each customer's whole accrued-not-billed figure into the outbox, in the order given:
    rent, storage and billable third-party costs (a billing run publishes thousands at once)."""
    accrued = await accrued_of(session, customer_ids, as_of)
    passed = await unbilled_pass_through(session, customer_ids)
    for customer_id in customer_ids:
        figure, (costs, cost_currency) = accrued[customer_id], passed[customer_id]
        currency = figure.currency or cost_currency
        if currency is None:
            continue
        outbox.add(
            session,
            RentalAccrued(
                customer_id=customer_id,
                currency=currency,
                as_of=as_of,
                rental_unbilled=round_money(figure.rent, currency),
                storage_unbilled=round_money(figure.stored, currency),
                pass_through_unbilled=round_money(costs, currency),
            ),
            customer_id=str(customer_id),
            aggregate_id=str(customer_id),
        )
