"""The month's close checklist: what must be done before a supervisor closes a month, each
item with what the data say where they can say it, and who signed it
(docs/domain.md#period-close). One more item is one more entry in CHECKLIST."""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.collections.domain.ledger import ItemKind
from services.collections.models import CloseSignoff, LedgerItem
from services.collections.queries.aging import AgingQuery, aging
from services.collections.queries.kpis import Month
from services.collections.queries.reconciliation import signed_reconciliation
from services.collections.queries.unbilled import stale_unbilled
from shared.money import money_text


@dataclass(frozen=True)
class Fact:
    """What the data say about an item: `done` None when they only inform the person signing."""

    detail: str
    done: bool | None = None


@dataclass(frozen=True)
class Facts:
    session: AsyncSession
    month: Month
    stale_days: int


FactReader = Callable[[Facts], Awaitable[Fact]]


def last_business_day(month: Month) -> date:
    day = month.last
    while day.weekday() >= 5:  # Saturday, Sunday
        day -= timedelta(days=1)
    return day


async def _stale_unbilled(facts: Facts) -> Fact:
    groups = await stale_unbilled(facts.session, facts.month.last, facts.stale_days)
    tickets = sum(len(g.tickets) for g in groups)
    at_risk: dict[str, Decimal] = {}
    for g in groups:
        at_risk[g.currency] = at_risk.get(g.currency, Decimal(0)) + g.amount_at_risk
    amounts = ", ".join(f"{money_text(v, c)} {c}" for c, v in sorted(at_risk.items()))
    return Fact(
        f"{tickets} tickets closed over {facts.stale_days} days before {facts.month.last} "
        f"and not invoiced by then" + (f" ({amounts})" if amounts else "")
    )


async def _bank_files(facts: Facts) -> Fact:
    through = last_business_day(facts.month)
    latest = (
        await facts.session.exec(
            select(func.max(LedgerItem.document_date)).where(
                col(LedgerItem.kind).in_([ItemKind.PAYMENT, ItemKind.DEPOSIT]),
                col(LedgerItem.document_date) <= facts.month.last,
            )
        )
    ).one()
    if latest is None:
        return Fact(f"no receipt dated by {facts.month.last}", done=False)
    return Fact(
        f"receipts dated through {latest}; the last business day is {through}",
        done=latest >= through,
    )


async def _unapplied_cash(facts: Facts) -> Fact:
    report = await aging(facts.session, AgingQuery(as_of=facts.month.last))
    credits = [(t.currency, t.credits) for t in report.totals if t.credits]
    shown = ", ".join(f"{money_text(v, c)} {c}" for c, v in credits) or "none"
    return Fact(f"unapplied cash, deposits and on-account credits at {facts.month.last}: {shown}")


async def _reconciliation(facts: Facts) -> Fact:
    signed = await signed_reconciliation(facts.session, facts.month.last)
    if signed is None:
        return Fact(f"no reconciliation as of {facts.month.last} is signed off", done=False)
    return Fact(f"reconciliation {signed.id} signed off by {signed.signed_off_by}", done=True)


@dataclass(frozen=True)
class Check:
    key: str
    title: str
    fact: FactReader | None = None  # None: only a person can say, by signing


CHECKLIST: tuple[Check, ...] = (
    Check("tickets_reviewed", "No ticket left unreviewed (held tickets released or kept)"),
    Check("billing_runs_done", "The month's billing runs issued"),
    Check("stale_unbilled_reviewed", "Stale unbilled tickets reviewed", _stale_unbilled),
    Check("bank_files_in", "Bank files in through the last business day", _bank_files),
    Check("unapplied_cash_reviewed", "Unapplied cash reviewed", _unapplied_cash),
    Check("reconciliation_signed", "Sales and accounting reconciliation signed", _reconciliation),
)
CHECKS = {check.key: check for check in CHECKLIST}


@dataclass(frozen=True)
class ChecklistLine:
    check: Check
    fact: Fact | None
    signoff: CloseSignoff | None

    @property
    def complete(self) -> bool:
        return self.signoff is not None and (self.fact is None or self.fact.done is not False)


async def signoffs(session: AsyncSession, period: str) -> Sequence[CloseSignoff]:
    return (
        await session.exec(select(CloseSignoff).where(col(CloseSignoff.period) == period))
    ).all()


async def checklist(session: AsyncSession, month: Month, stale_days: int) -> list[ChecklistLine]:
    facts = Facts(session, month, stale_days)
    signed = {s.item: s for s in await signoffs(session, str(month))}
    return [
        ChecklistLine(check, await check.fact(facts) if check.fact else None, signed.get(check.key))
        for check in CHECKLIST
    ]
