"""Recurring storage schedules: start one, change its price from a date, pause and resume it,
end it; the billing runs bill its periods."""

import uuid
from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession

from services.invoicing.domain.rentals.rates import RentalRuleBroken
from services.invoicing.models.rentals import StorageSchedule
from services.invoicing.queries.accounts import find_billing_account
from services.invoicing.queries.rentals import schedule_terms
from services.invoicing.schemas.storage import PriceIn, StorageScheduleIn
from shared.audit import record_change
from shared.auth import Principal
from shared.money import check_minor_units


def _audit(
    session: AsyncSession, actor: Principal, row: StorageSchedule, action: str, **changes: object
) -> None:
    record_change(
        session,
        actor=actor,
        action=action,
        entity_type="storage_schedule",
        entity_id=str(row.id),
        changes={k: str(v) for k, v in changes.items()},
    )


async def start_schedule(
    session: AsyncSession, data: StorageScheduleIn, actor: Principal
) -> StorageSchedule:
    account = await find_billing_account(session, data.customer_id)
    if account is None:
        raise RentalRuleBroken(f"customer {data.customer_id} is unknown to invoicing")
    currency = data.currency or account.currency
    if currency != account.currency:
        raise RentalRuleBroken(f"the customer is billed in {account.currency}, not {currency}")
    check_minor_units(currency, data.price)
    row = StorageSchedule(
        id=uuid.uuid4(),
        customer_id=data.customer_id,
        currency=currency,
        business_district=data.business_district,
        description=data.description,
        job_site=data.job_site,
        po_number=data.po_number,
        period=data.period,
        timing=data.timing,
        start=data.start,
        end=data.end,
        units=data.units,
        prices=[PriceIn(effective=data.start, amount=data.price).model_dump(mode="json")],
        pauses=[],
        created_by=actor.subject,
    )
    schedule_terms(row)  # the domain's checks, before anything is written
    session.add(row)
    _audit(session, actor, row, "storage_schedule_started", price=data.price, start=data.start)
    await session.flush()
    return row


async def change_price(
    session: AsyncSession, row: StorageSchedule, price: PriceIn, actor: Principal
) -> None:
    """A new price from its effective date; a date with a price already is refused."""
    check_minor_units(row.currency, price.amount)
    if any(p["effective"] == price.effective.isoformat() for p in row.prices):
        raise RentalRuleBroken(f"a price is in effect from {price.effective} already")
    if price.effective < row.start:
        raise RentalRuleBroken(f"the schedule starts on {row.start}")
    row.prices = [*row.prices, price.model_dump(mode="json")]
    _audit(session, actor, row, "storage_price_changed", **price.model_dump())
    await session.flush()


async def pause(session: AsyncSession, row: StorageSchedule, on: date, actor: Principal) -> None:
    if row.pauses and row.pauses[-1].get("end") is None:
        raise RentalRuleBroken(f"paused since {row.pauses[-1]['start']} already")
    if row.pauses and on < date.fromisoformat(row.pauses[-1]["end"]):
        raise RentalRuleBroken("a pause starts after the last one ended")
    if on < row.start:
        raise RentalRuleBroken(f"the schedule starts on {row.start}")
    row.pauses = [*row.pauses, {"start": on.isoformat(), "end": None}]
    _audit(session, actor, row, "storage_paused", on=on)
    await session.flush()


async def resume(session: AsyncSession, row: StorageSchedule, on: date, actor: Principal) -> None:
    if not row.pauses or row.pauses[-1].get("end") is not None:
        raise RentalRuleBroken("the schedule is not paused")
    if on <= date.fromisoformat(row.pauses[-1]["start"]):
        raise RentalRuleBroken("it resumes after the pause began")
    row.pauses = [*row.pauses[:-1], row.pauses[-1] | {"end": on.isoformat()}]
    _audit(session, actor, row, "storage_resumed", on=on)
    await session.flush()


async def end(session: AsyncSession, row: StorageSchedule, on: date, actor: Principal) -> None:
    if row.end is not None:
        raise RentalRuleBroken(f"the schedule ended on {row.end} already")
    if on <= row.start:
        raise RentalRuleBroken(f"the schedule starts on {row.start}")
    row.end = on
    _audit(session, actor, row, "storage_ended", on=on)
    await session.flush()
