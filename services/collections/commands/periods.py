"""Closing a month: its AR and its aging are recorded, and `PeriodClosed` tells every poster to
stop posting into it. Months close in order, and only once they have ended. A supervisor may
reopen the last closed month, with a reason: `PeriodReopened` lets the posters post into it
again."""

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from services.collections.models import ClosedPeriod
from services.collections.publishing import outbox
from services.collections.queries.aging import AgingQuery, GroupBy, aging
from services.collections.queries.close import checklist, signoffs
from services.collections.queries.kpis import Month, monthly_kpis
from services.collections.queries.periods import latest_closed
from services.collections.queries.tie_out import tie_out
from services.collections.schemas import MonthKpisOut
from shared.api.problems import BusinessRuleViolation, Conflict
from shared.audit import record_change
from shared.auth import Principal
from shared.clock import Clock
from shared.events.collections import PeriodClosed, PeriodReopened

PERIOD_KEY = "period"  # the outbox key: closing a month concerns no one customer


class ChecklistIncomplete(BusinessRuleViolation):
    slug, title = "close-checklist-incomplete", "The close checklist is not complete"


async def _aging_snapshot(session: AsyncSession, month: Month) -> list[dict[str, Any]]:
    """The month-end aging by currency and district, as JSON (amounts as decimal strings)."""
    report = await aging(session, AgingQuery(as_of=month.last, group_by=GroupBy.DISTRICT))
    labels = report.query.buckets.labels
    return [
        {
            "currency": line.currency,
            "business_district": line.group,
            "buckets": {label: str(v) for label, v in zip(labels, line.buckets, strict=True)},
            "unapplied_credits": str(line.credits),
        }
        for line in report.rows
    ]


async def _kpi_snapshot(session: AsyncSession, month: Month) -> list[dict[str, Any]]:
    """The month's KPIs per currency, as JSON, as the KPI route shows them."""
    return [
        MonthKpisOut.model_validate(k, from_attributes=True).model_dump(mode="json")
        for k in await monthly_kpis(session, month)
    ]


async def close_period(
    session: AsyncSession,
    month: Month,
    ar_account: str,
    actor: Principal,
    *,
    clock: Clock,
    stale_days: int,
    override_reason: str | None = None,
) -> ClosedPeriod:
    """Close once every checklist item is signed (and done, where the data say), or with an
    override and its reason, which the close keeps with the items still open."""
    if month.last >= clock.today():
        raise BusinessRuleViolation(f"{month} has not ended yet")
    if await session.get(ClosedPeriod, str(month)) is not None:
        raise Conflict(f"{month} is already closed")
    latest = await latest_closed(session)
    if latest is not None and latest.period != str(month.back()):
        raise BusinessRuleViolation(
            f"months close in order: the next to close is the one after {latest.period}"
        )
    lines = await checklist(session, month, stale_days)
    incomplete = [line.check.key for line in lines if not line.complete]
    if incomplete and override_reason is None:
        raise ChecklistIncomplete(
            f"{month} cannot close: {len(incomplete)} checklist items are not signed or not done "
            "(or close with an override and a reason)",
            items=incomplete,
        )
    balances = {t.currency: str(t.ledger) for t in await tie_out(session, month.last, ar_account)}
    closed = ClosedPeriod(
        period=str(month),
        closed_through=month.last,
        closed_by=actor.subject,
        ar_balance=balances,
        aging_snapshot=await _aging_snapshot(session, month),
        kpi_snapshot=await _kpi_snapshot(session, month),
        override_reason=override_reason if incomplete else None,
        incomplete_items=incomplete,
    )
    session.add(closed)
    record_change(
        session,
        actor=actor,
        action="period.closed",
        entity_type="period",
        entity_id=str(month),
        changes={"ar_balance": balances, "incomplete_items": incomplete},
        reason=override_reason if incomplete else None,
    )
    outbox.add(
        session,
        PeriodClosed(period=str(month), closed_through=month.last, closed_by=actor.subject),
        customer_id=PERIOD_KEY,
        aggregate_id=str(month),
    )
    return closed


async def reopen_period(
    session: AsyncSession, month: Month, reason: str, actor: Principal
) -> ClosedPeriod:
    """Reopen the last closed month (months reopen newest first, so every month before the
    last closed one stays closed); its close figures go with it, kept in the audit trail."""
    closed = await session.get(ClosedPeriod, str(month))
    if closed is None:
        raise Conflict(f"{month} is not closed")
    latest = await latest_closed(session)
    if latest is not None and latest.period != closed.period:
        raise BusinessRuleViolation(
            f"months reopen newest first: reopen {latest.period} before {month}"
        )
    await session.delete(closed)
    # What was signed for the close no longer stands once documents may post again: the
    # checklist is signed anew before the month closes again.
    signed = await signoffs(session, str(month))
    for signoff in signed:
        await session.delete(signoff)
    record_change(
        session,
        actor=actor,
        action="period.reopened",
        entity_type="period",
        entity_id=str(month),
        changes={
            "closed_by": closed.closed_by,
            "ar_balance": closed.ar_balance,
            "checklist_signed_by": {s.item: s.signed_by for s in signed},
        },
        reason=reason,
    )
    outbox.add(
        session,
        PeriodReopened(period=str(month), reopened_by=actor.subject, reason=reason),
        customer_id=PERIOD_KEY,
        aggregate_id=str(month),
    )
    return closed
