"""Recurring storage schedules: start one, change its price from a date, pause and resume it,
end it; the billing runs bill its periods."""

import uuid
from collections import defaultdict
from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession

from services.invoicing.commands.credit_memos import issue_credit_memo
from services.invoicing.commands.rentals import RENTAL_RULES
from services.invoicing.domain.credit_memos import CreditRequest, partial_credit
from services.invoicing.domain.invoices import InvoiceStatus
from services.invoicing.domain.rentals import storage as storage_rules
from services.invoicing.domain.rentals.rates import RentalRuleBroken
from services.invoicing.models.credit_memos import CreditMemo
from services.invoicing.models.rentals import StorageCharge, StorageSchedule
from services.invoicing.queries.accounts import find_billing_account
from services.invoicing.queries.invoices import get_invoice
from services.invoicing.queries.rentals import schedule_terms, storage_charges_of
from services.invoicing.schemas.storage import PriceIn, StorageScheduleIn
from services.invoicing.settings import InvoicingSettings
from shared.api.problems import Conflict
from shared.audit import record_change
from shared.auth import Principal
from shared.clock import Clock
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


async def end(
    session: AsyncSession,
    row: StorageSchedule,
    on: date,
    actor: Principal,
    *,
    settings: InvoicingSettings,
    clock: Clock,
) -> list[CreditMemo]:
    """Storage ends on `on` (not billed); what periods billed ahead of it were billed beyond
    the days stored is credited on their invoices."""
    if row.end is not None:
        raise RentalRuleBroken(f"the schedule ended on {row.end} already")
    if on <= row.start:
        raise RentalRuleBroken(f"the schedule starts on {row.start}")
    row.end = on
    _audit(session, actor, row, "storage_ended", on=on)
    memos = await _credit_billed_ahead(session, row, settings, clock)
    await session.flush()
    return memos


async def _credit_billed_ahead(
    session: AsyncSession, row: StorageSchedule, settings: InvoicingSettings, clock: Clock
) -> list[CreditMemo]:
    """One credit memo per invoice that billed a period past the end, crediting each such
    period's line by what it was billed beyond the days stored (reason `storage_ended`, by
    the rules, so no approval limit), linked to the invoice and recorded on the period."""
    charges = {c.period_number: c for c in (await storage_charges_of(session, [row.id]))[row.id]}
    credits = storage_rules.credit_on_end(
        schedule_terms(row), {n: c.amount for n, c in charges.items() if c.invoice_id}
    )
    by_invoice: dict[uuid.UUID, list[StorageCharge]] = defaultdict(list)
    for number in credits:
        by_invoice[charges[number].invoice_id].append(charges[number])  # type: ignore[index]
    memos = []
    for invoice_id, periods in by_invoice.items():
        invoice = await get_invoice(session, invoice_id, lock=True)
        if invoice.status != InvoiceStatus.ISSUED:
            raise Conflict(
                f"invoice {invoice.id} billing this storage is {invoice.status}:"
                " issue its run first"
            )
        lines = {facts["description"]: index for index, facts in enumerate(invoice.lines, 1)}
        requests = [
            CreditRequest(
                line=lines[f"{row.description}: {period.description}"],
                amount=credits[period.period_number],
            )
            for period in periods
        ]
        memo = await issue_credit_memo(
            session,
            invoice,
            partial_credit(invoice.lines, invoice.taxes, requests, invoice.currency),
            reason_code="storage_ended",
            reason=f"{row.description} ended on {row.end}, billed ahead",
            settings=settings,
            actor=RENTAL_RULES,
            clock=clock,
        )
        for period in periods:
            period.credited = credits[period.period_number]
            period.credit_memo_id = memo.id
        memos.append(memo)
    return memos
