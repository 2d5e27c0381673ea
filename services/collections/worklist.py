"""The collector's worklist: every customer with a past-due balance, most worth a call first.

Balances come from the entries dated on or before the day; disputes, promises, payment history
and the last activity are read per customer and judged by `work_rules`.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.collections import work_rules as rules
from services.collections.ledger_rules import Column, EntryKind
from services.collections.models import (
    Activity,
    CollectionAccount,
    Dispute,
    LedgerEntry,
    PromiseToPay,
)
from services.collections.sums import grouped_sums
from services.collections.work import OPEN

Key = tuple[uuid.UUID, str]  # customer, currency


@dataclass(frozen=True)
class PastDueItem:
    item_id: uuid.UUID
    balance: Decimal
    days_past_due: int


@dataclass(frozen=True)
class WorklistRow:
    customer_id: uuid.UUID
    currency: str
    account: CollectionAccount | None
    position: rules.AccountPosition
    items: list[PastDueItem]
    as_of: date

    @property
    def follow_up_due(self) -> bool:
        return rules.follow_up_due(self.position, self.as_of)

    @property
    def needs_action_history(self) -> bool:
        return rules.needs_action_history(self.position)

    @property
    def priority(self) -> Decimal:
        return rules.call_priority(self.position)


async def past_due_items(
    session: AsyncSession,
    as_of: date,
    *,
    customer_id: uuid.UUID | None = None,
    business_district: str | None = None,
    sales_rep: str | None = None,
) -> dict[Key, list[PastDueItem]]:
    """Each customer's invoices owing something and past due on `as_of`, oldest first."""
    where = [
        col(LedgerEntry.entry_date) <= as_of,
        col(LedgerEntry.column) == Column.BUCKETS,
        col(LedgerEntry.due_date) < as_of,
    ]
    for column, value in (
        (LedgerEntry.customer_id, customer_id),
        (LedgerEntry.business_district, business_district),
        (LedgerEntry.sales_rep, sales_rep),
    ):
        if value is not None:
            where.append(col(column) == value)
    keys = [
        col(LedgerEntry.customer_id),
        col(LedgerEntry.currency),
        col(LedgerEntry.item_id),
        col(LedgerEntry.due_date),
    ]
    found: dict[Key, list[PastDueItem]] = defaultdict(list)
    for (customer, currency, item_id, due), balance in (
        await grouped_sums(session, keys, col(LedgerEntry.amount), where)
    ).items():
        if balance > 0:
            found[(customer, currency)].append(PastDueItem(item_id, balance, (as_of - due).days))
    for items in found.values():
        items.sort(key=lambda i: (-i.days_past_due, str(i.item_id)))
    return dict(found)


async def _disputed(
    session: AsyncSession, customers: list[uuid.UUID], owing: dict[uuid.UUID, Decimal]
) -> dict[Key, Decimal]:
    """Open disputes on past-due invoices (up to what each still owes) or on account."""
    disputes = (
        await session.exec(
            select(Dispute).where(col(Dispute.customer_id).in_(customers), Dispute.status == OPEN)
        )
    ).all()
    result: dict[Key, Decimal] = defaultdict(Decimal)
    for d in disputes:
        if d.invoice_id is None:
            result[(d.customer_id, d.currency)] += d.amount
        elif d.invoice_id in owing:
            result[(d.customer_id, d.currency)] += min(d.amount, owing[d.invoice_id])
    return result


async def _promises(
    session: AsyncSession, customers: list[uuid.UUID], as_of: date
) -> tuple[dict[Key, Decimal], dict[Key, int]]:
    """What live promises still cover, and how many promises were broken."""
    live: dict[Key, Decimal] = defaultdict(Decimal)
    broken: dict[Key, int] = defaultdict(int)
    for p in (
        await session.exec(
            select(PromiseToPay).where(
                col(PromiseToPay.customer_id).in_(customers), col(PromiseToPay.recorded_on) <= as_of
            )
        )
    ).all():
        status = rules.promise_status(p.promised_on, p.kept_on, as_of)
        if status is rules.PromiseStatus.LIVE:
            live[(p.customer_id, p.currency)] += p.amount - p.paid_amount
        elif status is rules.PromiseStatus.BROKEN:
            broken[(p.customer_id, p.currency)] += 1
    return live, broken


async def _days_beyond_terms(
    session: AsyncSession, customers: list[uuid.UUID], as_of: date
) -> dict[Key, Decimal | None]:
    rows = (
        await session.exec(
            select(
                col(LedgerEntry.customer_id),
                col(LedgerEntry.currency),
                col(LedgerEntry.entry_date),
                col(LedgerEntry.due_date),
                col(LedgerEntry.amount),
            ).where(  # type: ignore[call-overload]
                col(LedgerEntry.customer_id).in_(customers),
                LedgerEntry.kind == EntryKind.PAID,
                col(LedgerEntry.entry_date) <= as_of,
            )
        )
    ).all()
    paid: dict[Key, list[tuple[int, Decimal]]] = defaultdict(list)
    for customer, currency, paid_on, due, amount in rows:
        paid[(customer, currency)].append(((paid_on - due).days, -amount))
    return {key: rules.weighted_days_beyond_terms(values) for key, values in paid.items()}


async def _last_activity(
    session: AsyncSession, customers: list[uuid.UUID]
) -> dict[uuid.UUID, date]:
    rows = (
        await session.exec(
            select(Activity.customer_id, func.max(Activity.occurred_at))
            .where(col(Activity.customer_id).in_(customers))
            .group_by(col(Activity.customer_id))
        )
    ).all()
    return {customer: at.date() for customer, at in rows if at is not None}


async def worklist(
    session: AsyncSession,
    as_of: date,
    *,
    business_district: str | None = None,
    sales_rep: str | None = None,
    customer_id: uuid.UUID | None = None,
) -> list[WorklistRow]:
    """Customers with a past-due balance on `as_of`, most worth a call first."""
    items = await past_due_items(
        session,
        as_of,
        customer_id=customer_id,
        business_district=business_district,
        sales_rep=sales_rep,
    )
    customers = sorted({customer for customer, _ in items}, key=str)
    owing = {i.item_id: i.balance for found in items.values() for i in found}
    disputed = await _disputed(session, customers, owing)
    live, broken = await _promises(session, customers, as_of)
    lateness = await _days_beyond_terms(session, customers, as_of)
    last_activity = await _last_activity(session, customers)
    accounts = {
        a.id: a
        for a in (
            await session.exec(
                select(CollectionAccount).where(col(CollectionAccount.id).in_(customers))
            )
        ).all()
    }
    rows = [
        WorklistRow(
            customer,
            currency,
            accounts.get(customer),
            rules.AccountPosition(
                past_due=sum((i.balance for i in found), Decimal(0)),
                oldest_days_past_due=found[0].days_past_due,
                disputed=disputed.get((customer, currency), Decimal(0)),
                promised=live.get((customer, currency), Decimal(0)),
                broken_promises=broken.get((customer, currency), 0),
                days_beyond_terms=lateness.get((customer, currency)),
                last_activity_on=last_activity.get(customer),
            ),
            found,
            as_of,
        )
        for (customer, currency), found in items.items()
    ]
    rows.sort(key=lambda r: (-r.priority, -r.position.past_due, str(r.customer_id)))
    return rows
