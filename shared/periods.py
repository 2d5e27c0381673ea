"""A close that binds every poster: collections closes a month (`PeriodClosed`) and reopens it
(`PeriodReopened`); each service that posts documents keeps the closed months in its own
`closed_months` table from those events, and its commands call `ensure_open` with the date a
document posts on before writing it (see docs/domain.md#period-close)."""

from datetime import date
from enum import StrEnum

from sqlmodel.ext.asyncio.session import AsyncSession

from shared.api.problems import Conflict
from shared.events.catalog import EventPayload
from shared.events.collections import PeriodClosed, PeriodReopened
from shared.events.envelope import EventEnvelope
from shared.inbox import EventHandler, HandlerContext
from shared.tables import ClosedMonth


class PeriodIsClosed(Conflict):
    slug, title = "period-closed", "The month is closed"


async def ensure_open(session: AsyncSession, on: date) -> None:
    """Refuse, with a 409 naming the month and who closed it, a document dated in a closed
    month."""
    closed = await session.get(ClosedMonth, f"{on:%Y-%m}")
    if closed is not None:
        raise PeriodIsClosed(
            f"{closed.period} is closed (by {closed.closed_by}): nothing dated {on} may post; "
            "date it in an open month or ask a supervisor to reopen the month",
            period=closed.period,
            closed_by=closed.closed_by,
            closed_at=closed.closed_at.isoformat(),
        )


class ClosedMonthPolicy(StrEnum):
    """What a service does with a document dated in a closed month (its own setting)."""

    REFUSE = "refuse"  # the 409 of ensure_open
    FIRST_OPEN_MONTH = "first_open_month"  # dated on the first day of the next open month


async def posting_date(session: AsyncSession, on: date, policy: ClosedMonthPolicy) -> date:
    """The date a document asked for `on` posts on: `on` itself in an open month; in a closed
    one, a refusal or, by the policy, the first day of the first open month after it (the
    document then says which date it asked for)."""
    if policy is ClosedMonthPolicy.REFUSE or await session.get(ClosedMonth, f"{on:%Y-%m}") is None:
        await ensure_open(session, on)
        return on
    day = on
    while await session.get(ClosedMonth, f"{day:%Y-%m}") is not None:
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return day


async def on_period_closed(
    context: HandlerContext, envelope: EventEnvelope, event: PeriodClosed
) -> None:
    if await context.session.get(ClosedMonth, event.period) is None:
        context.session.add(
            ClosedMonth(
                period=event.period,
                closed_through=event.closed_through,
                closed_by=event.closed_by,
                closed_at=envelope.occurred_at,
            )
        )
        await context.session.flush()  # a reopening in the same batch finds it


async def on_period_reopened(
    context: HandlerContext, envelope: EventEnvelope, event: PeriodReopened
) -> None:
    closed = await context.session.get(ClosedMonth, event.period)
    # A reopening older than the close on record (a replay) leaves that close standing.
    if closed is not None and closed.closed_at <= envelope.occurred_at:
        await context.session.delete(closed)


PERIOD_HANDLERS: dict[type[EventPayload], EventHandler] = {
    PeriodClosed: on_period_closed,
    PeriodReopened: on_period_reopened,
}
