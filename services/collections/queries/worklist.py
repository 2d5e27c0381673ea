"""The collector's worklist: every customer with a past-due balance, most worth a call first.

Balances come from the entries dated on or before the day; disputes, promises, payment history
and the last activity are read per customer and judged by `domain.work`.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.collections.domain import work as rules
from services.collections.domain.ledger import Column, EntryKind
from services.collections.models import (
    Activity,
    CollectionAccount,
    Dispute,
    LedgerEntry,
    LedgerItem,
    PromiseToPay,
)
from services.collections.queries.sums import grouped_sums
from shared.auth import UNLIMITED, Scope
from shared.db import chunks, on_postgres
from shared.scoping import admitted

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


def _past_due_facts(table: Any, as_of: date, scope: Scope, **equal: Any) -> list[Any]:
    """An entry's or item's conditions for being past due on `as_of`: the columns both carry."""
    where = [
        col(table.column) == Column.BUCKETS,
        col(table.due_date) < as_of,
        *admitted(scope, customer=table.customer_id, district=table.business_district),
    ]
    return where + [
        col(getattr(table, name)) == value for name, value in equal.items() if value is not None
    ]


def _past_due_filters(as_of: date, scope: Scope = UNLIMITED, **equal: Any) -> list[Any]:
    return [
        col(LedgerEntry.entry_date) <= as_of,
        *_past_due_facts(LedgerEntry, as_of, scope, **equal),
    ]


async def past_due_items(
    session: AsyncSession, as_of: date, scope: Scope = UNLIMITED, **equal: Any
) -> dict[Key, list[PastDueItem]]:
    """Each customer's invoices owing something and past due on `as_of`, oldest first;
    `equal` filters on entry columns (customer_id, business_district, sales_rep)."""
    keys = [
        col(LedgerEntry.customer_id),
        col(LedgerEntry.currency),
        col(LedgerEntry.item_id),
        col(LedgerEntry.due_date),
    ]
    found: dict[Key, list[PastDueItem]] = defaultdict(list)
    sums = await grouped_sums(
        session, keys, col(LedgerEntry.amount), _past_due_filters(as_of, scope, **equal)
    )
    for (customer, currency, item_id, due), balance in sums.items():
        if balance > 0:
            found[(customer, currency)].append(PastDueItem(item_id, balance, (as_of - due).days))
    for items in found.values():
        items.sort(key=lambda i: (-i.days_past_due, str(i.item_id)))
    return dict(found)


async def past_due_totals(
    session: AsyncSession, as_of: date, scope: Scope = UNLIMITED, **equal: Any
) -> dict[Key, tuple[Decimal, int]]:
    """{(customer, currency): (past due, oldest days past due)} of the customers in `scope`.
    PostgreSQL sums per customer itself, so a whole portfolio comes back as one row per
    customer."""
    if not on_postgres(session):
        items = await past_due_items(session, as_of, scope, **equal)
        return {
            key: (sum((i.balance for i in found), Decimal(0)), found[0].days_past_due)
            for key, found in items.items()
        }
    # An item's balance on `as_of` is today's less its entries dated after (for today, none):
    # the items are read, not every entry of their history.
    later = (
        select(col(LedgerEntry.item_id), func.sum(LedgerEntry.amount).label("amount"))
        .where(
            col(LedgerEntry.entry_date) > as_of,
            *_past_due_facts(LedgerEntry, as_of, scope, **equal),
        )
        .group_by(col(LedgerEntry.item_id))
        .subquery()
    )
    owed = col(LedgerItem.balance) - func.coalesce(later.c.amount, 0)
    statement = (
        select(
            col(LedgerItem.customer_id),
            col(LedgerItem.currency),
            func.sum(owed),
            func.min(LedgerItem.due_date),
        )
        .outerjoin(later, later.c.item_id == LedgerItem.id)
        .where(owed > 0, *_past_due_facts(LedgerItem, as_of, scope, **equal))
        .group_by(col(LedgerItem.customer_id), col(LedgerItem.currency))
    )
    rows = (await session.exec(statement)).all()  # type: ignore[call-overload]
    return {(c, cur): (total, (as_of - oldest).days) for c, cur, total, oldest in rows}


async def _owing(
    session: AsyncSession, invoice_ids: list[uuid.UUID], as_of: date
) -> dict[uuid.UUID, Decimal]:
    """What each of these invoices still owes, if past due on `as_of`."""
    owing: dict[uuid.UUID, Decimal] = {}
    for chunk in chunks(invoice_ids):
        where = _past_due_filters(as_of) + [col(LedgerEntry.item_id).in_(chunk)]
        sums = await grouped_sums(
            session, [col(LedgerEntry.item_id)], col(LedgerEntry.amount), where
        )
        owing |= {key[0]: amount for key, amount in sums.items() if amount > 0}
    return owing


async def _disputed(
    session: AsyncSession, customers: list[uuid.UUID], as_of: date
) -> dict[Key, Decimal]:
    """Open disputes of these customers on past-due invoices (up to what each still owes) or on
    account."""
    disputes: list[tuple[uuid.UUID, str, uuid.UUID | None, Decimal]] = []
    for chunk in chunks(customers):
        statement = select(
            col(Dispute.customer_id),
            col(Dispute.currency),
            col(Dispute.invoice_id),
            col(Dispute.amount),
        ).where(col(Dispute.customer_id).in_(chunk), Dispute.status == rules.DisputeStatus.OPEN)
        disputes += (await session.exec(statement)).all()
    owing = await _owing(session, [invoice for _, _, invoice, _ in disputes if invoice], as_of)
    result: dict[Key, Decimal] = defaultdict(Decimal)
    for customer, currency, invoice, amount in disputes:
        if invoice is None:
            result[(customer, currency)] += amount
        elif invoice in owing:
            result[(customer, currency)] += min(amount, owing[invoice])
    return result


async def _promises(
    session: AsyncSession, customers: list[uuid.UUID], as_of: date
) -> tuple[dict[Key, Decimal], dict[Key, int]]:
    """What these customers' live promises still cover, and how many promises were broken."""
    live: dict[Key, Decimal] = defaultdict(Decimal)
    broken: dict[Key, int] = defaultdict(int)
    for chunk in chunks(customers):
        statement = select(  # type: ignore[call-overload]
            col(PromiseToPay.customer_id),
            col(PromiseToPay.currency),
            col(PromiseToPay.amount),
            col(PromiseToPay.paid_amount),
            col(PromiseToPay.promised_on),
            col(PromiseToPay.kept_on),
        ).where(col(PromiseToPay.customer_id).in_(chunk), col(PromiseToPay.recorded_on) <= as_of)
        for customer, currency, amount, paid, promised_on, kept_on in (
            await session.exec(statement)
        ).all():
            status = rules.promise_status(promised_on, kept_on, as_of)
            if status is rules.PromiseStatus.LIVE:
                live[(customer, currency)] += amount - paid
            elif status is rules.PromiseStatus.BROKEN:
                broken[(customer, currency)] += 1
    return live, broken


async def _days_beyond_terms(
    session: AsyncSession, customers: list[uuid.UUID], as_of: date
) -> dict[Key, Decimal | None]:
    """Each customer's amount-weighted days paid beyond terms. PostgreSQL sums a district's
    payment history itself (one row per customer instead of one per payment); SQLite's
    decimals are text, so there the payments come back and are summed as Decimals."""
    # (days × amount, amount) of the payments, both negative: payment entries credit the item.
    sums: dict[Key, tuple[Decimal, Decimal]] = defaultdict(lambda: (Decimal(0), Decimal(0)))
    key = (col(LedgerEntry.customer_id), col(LedgerEntry.currency))
    paid_on, due, amount = (
        col(LedgerEntry.entry_date),
        col(LedgerEntry.due_date),
        col(LedgerEntry.amount),
    )
    for chunk in chunks(customers):
        where = (
            col(LedgerEntry.customer_id).in_(chunk),
            LedgerEntry.kind == EntryKind.PAID,
            paid_on <= as_of,
        )
        if on_postgres(session):
            day_amounts: Any = func.sum((paid_on - due) * amount)  # days (an integer) × NUMERIC
            summed = select(*key, day_amounts, func.sum(amount))
            rows = await session.exec(summed.where(*where).group_by(*key))
            sums |= {(c, cur): (days, paid) for c, cur, days, paid in rows.all()}
            continue
        payments = await session.exec(
            select(*key, paid_on, due, amount).where(*where)  # type: ignore[call-overload]
        )
        for customer, currency, on, due_on, value in payments.all():
            days, paid = sums[(customer, currency)]
            sums[(customer, currency)] = (days + (on - due_on).days * value, paid + value)
    return {
        customer: rules.weighted_days_beyond_terms(-days, -paid)
        for customer, (days, paid) in sums.items()
    }


async def _last_activity(
    session: AsyncSession, customers: list[uuid.UUID]
) -> dict[uuid.UUID, date]:
    last: dict[uuid.UUID, date] = {}
    for chunk in chunks(customers):
        statement = (
            select(Activity.customer_id, func.max(Activity.occurred_at))
            .where(col(Activity.customer_id).in_(chunk))
            .group_by(col(Activity.customer_id))
        )
        last |= {c: at.date() for c, at in (await session.exec(statement)).all() if at is not None}
    return last


async def _accounts(
    session: AsyncSession, customers: list[uuid.UUID]
) -> dict[uuid.UUID, CollectionAccount]:
    found: dict[uuid.UUID, CollectionAccount] = {}
    for chunk in chunks(customers):
        statement = select(CollectionAccount).where(col(CollectionAccount.id).in_(chunk))
        found |= {a.id: a for a in (await session.exec(statement)).all()}
    return found


async def worklist(
    session: AsyncSession,
    as_of: date,
    *,
    business_district: str | None = None,
    sales_rep: str | None = None,
    customer_id: uuid.UUID | None = None,
    scope: Scope = UNLIMITED,
) -> list[WorklistRow]:
    """Customers in `scope` with a past-due balance on `as_of`, most worth a call first."""
    totals = await past_due_totals(
        session,
        as_of,
        scope,
        customer_id=customer_id,
        business_district=business_district,
        sales_rep=sales_rep,
    )
    customers = sorted({customer for customer, _ in totals}, key=str)
    disputed = await _disputed(session, customers, as_of)
    live, broken = await _promises(session, customers, as_of)
    lateness = await _days_beyond_terms(session, customers, as_of)
    last_activity = await _last_activity(session, customers)
    accounts = await _accounts(session, customers)
    rows = [
        WorklistRow(
            customer,
            currency,
            accounts.get(customer),
            rules.AccountPosition(
                past_due=past_due,
                oldest_days_past_due=oldest,
                disputed=disputed.get((customer, currency), Decimal(0)),
                promised=live.get((customer, currency), Decimal(0)),
                broken_promises=broken.get((customer, currency), 0),
                days_beyond_terms=lateness.get((customer, currency)),
                last_activity_on=last_activity.get(customer),
            ),
            as_of,
        )
        for (customer, currency), (past_due, oldest) in totals.items()
    ]
    rows.sort(key=lambda r: (-r.priority, -r.position.past_due, str(r.customer_id)))
    return rows
