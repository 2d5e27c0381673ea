"""Aging as of any date, answered from indexed columns and today's positions.

Balance as of D = today's positions − entries dated after D: for a recent date only the few
entries since D are read. A customer's own aging and per-customer rows start from the open
items' balances instead (positions keep no customer), less the same later entries.
"""

import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.collections.domain.aging import Basis, Buckets, days_past_due
from services.collections.domain.ledger import Column
from services.collections.models import AgingPosition, CollectionAccount, LedgerEntry, LedgerItem
from services.collections.queries.sums import Sums, grouped_sums, subtract
from shared.auth import UNLIMITED, Scope
from shared.db import chunks, on_postgres
from shared.scoping import admitted


class GroupBy(StrEnum):
    CUSTOMER = "customer"
    DISTRICT = "district"
    SALES_REP = "sales_rep"


@dataclass(frozen=True)
class AgingQuery:
    as_of: date
    basis: Basis = Basis.DUE
    buckets: Buckets = field(default_factory=Buckets)
    group_by: GroupBy | None = None
    customer_id: uuid.UUID | None = None
    currency: str | None = None
    # Only what posts to the AR control account (invoices and credit memos): DSO's AR.
    ar_only: bool = False
    # The caller's districts and customer: only their items count.
    scope: Scope = UNLIMITED


@dataclass
class AgingLine:
    """One currency's (and group's) buckets, with unapplied credits beside them."""

    currency: str
    group: str | None
    buckets: list[Decimal]
    credits: Decimal = Decimal(0)
    name: str | None = None  # the customer's account number and name, when grouped by customer

    @property
    def open_ar(self) -> Decimal:
        return sum(self.buckets, Decimal(0))

    @property
    def net(self) -> Decimal:
        return self.open_ar + self.credits


@dataclass
class Aging:
    query: AgingQuery
    totals: list[AgingLine]
    rows: list[AgingLine]


def _age_column(table: Any, basis: Basis) -> Any:
    return table.due_date if basis is Basis.DUE else table.document_date


def bucket_of(age: Any, buckets: Buckets, as_of: date) -> ColumnElement[int]:
    """The bucket index of each row, as SQL: compares dates with precomputed cutoffs."""
    whens = [(age >= cutoff, literal(i)) for i, cutoff in enumerate(buckets.cutoffs(as_of))]
    return case(*whens, else_=literal(len(buckets.edges)))


_GROUP_COLUMNS = {GroupBy.DISTRICT: "business_district", GroupBy.SALES_REP: "sales_rep"}


def _keys(table: Any, q: AgingQuery) -> list[Any]:
    keys = [
        table.currency,
        table.column,
        bucket_of(_age_column(table, q.basis), q.buckets, q.as_of),
    ]
    if q.group_by is GroupBy.CUSTOMER:
        keys.append(table.customer_id)
    elif q.group_by is not None:
        keys.append(getattr(table, _GROUP_COLUMNS[q.group_by]))
    return keys


def _filters(table: Any, q: AgingQuery) -> list[Any]:
    filters = []
    if q.currency:
        filters.append(table.currency == q.currency)
    if q.customer_id:
        filters.append(table.customer_id == q.customer_id)
    if q.ar_only:
        filters.append(table.ar_control.is_(True))
    customer = getattr(table, "customer_id", None)  # positions keep no customer
    return filters + admitted(q.scope, customer=customer, district=table.business_district)


async def balances(session: AsyncSession, q: AgingQuery) -> Sums:
    """{(currency, column, bucket[, group]): balance as of q.as_of}."""
    if q.customer_id or q.scope.customer_id or q.group_by is GroupBy.CUSTOMER:
        # Positions keep no customer: a customer's balances today are its open items'.
        open_items = _filters(LedgerItem, q) + [col(LedgerItem.balance) != 0]
        today = await grouped_sums(
            session, _keys(LedgerItem, q), col(LedgerItem.balance), open_items
        )
    else:
        today = await grouped_sums(
            session,
            _keys(AgingPosition, q),
            col(AgingPosition.balance),
            _filters(AgingPosition, q),
        )
    later = _filters(LedgerEntry, q) + [col(LedgerEntry.entry_date) > q.as_of]
    since = await grouped_sums(session, _keys(LedgerEntry, q), col(LedgerEntry.amount), later)
    return subtract(today, since)


async def aging(session: AsyncSession, q: AgingQuery) -> Aging:
    """Totals per currency and, when grouped, a row per currency and group; nothing open, no
    line."""
    width = len(q.buckets.edges) + 1
    totals: dict[str, AgingLine] = {}
    rows: dict[tuple[str, str | None], AgingLine] = {}
    for key, amount in (await balances(session, q)).items():
        if not amount:
            continue  # what was paid off opens no line, however it was summed
        currency, column, bucket = key[0], key[1], int(key[2])
        group = str(key[3]) if len(key) > 3 else None
        for line in (
            totals.setdefault(currency, AgingLine(currency, None, [Decimal(0)] * width)),
            rows.setdefault((currency, group), AgingLine(currency, group, [Decimal(0)] * width)),
        ):
            if column == Column.CREDITS:
                line.credits += amount
            else:
                line.buckets[bucket] += amount
    kept = [line for line in rows.values() if any(line.buckets) or line.credits]
    if q.group_by is GroupBy.CUSTOMER:
        await _name_customers(session, kept)
    return Aging(
        q,
        sorted(totals.values(), key=lambda line: line.currency),
        sorted(kept, key=lambda line: (line.currency, line.group or "")) if q.group_by else [],
    )


async def _name_customers(session: AsyncSession, lines: list[AgingLine]) -> None:
    ids = sorted({uuid.UUID(line.group) for line in lines if line.group}, key=str)
    names: dict[str, str] = {}
    for chunk in chunks(ids):
        statement = select(CollectionAccount).where(col(CollectionAccount.id).in_(chunk))
        names |= {
            str(a.id): f"{a.account_number} {a.legal_name}"
            for a in (await session.exec(statement)).all()
        }
    for line in lines:
        line.name = names.get(line.group or "")


@dataclass(frozen=True)
class AgedItem:
    item: LedgerItem
    balance: Decimal
    days_past_due: int
    bucket: int | None  # None for credits, which are not aged


async def aged_items(
    session: AsyncSession,
    q: AgingQuery,
    *,
    business_district: str | None = None,
    sales_rep: str | None = None,
    bucket: int | None = None,
    limit: int = 500,
) -> list[AgedItem]:
    """The open items behind an aging: each item's balance as of the date, oldest first."""
    where = _filters(LedgerEntry, q) + [col(LedgerEntry.entry_date) <= q.as_of]
    if business_district is not None:
        where.append(col(LedgerEntry.business_district) == business_district)
    if sales_rep is not None:
        where.append(col(LedgerEntry.sales_rep) == sales_rep)
    if bucket is not None:
        where.append(col(LedgerEntry.column) == Column.BUCKETS)
        where.append(bucket_of(_age_column(LedgerEntry, q.basis), q.buckets, q.as_of) == bucket)
    balances = await _oldest_open(session, _age_column(LedgerEntry, q.basis), where, limit)
    items = (
        await session.exec(select(LedgerItem).where(col(LedgerItem.id).in_(list(balances))))
    ).all()
    result = []
    for item in items:
        days = days_past_due(q.as_of, item.due_date if q.basis is Basis.DUE else item.document_date)
        aged = item.column == Column.BUCKETS
        result.append(
            AgedItem(item, balances[item.id], days, q.buckets.index(days) if aged else None)
        )
    result.sort(key=lambda a: (a.item.currency, -a.days_past_due, str(a.item.id)))
    return result


async def _oldest_open(
    session: AsyncSession, age: Any, where: list[Any], limit: int
) -> dict[uuid.UUID, Decimal]:
    """{item id: balance} of the `limit` oldest items with a balance, from their entries. On
    PostgreSQL the database picks them, so a drill-down into a big bucket reads no more."""
    if on_postgres(session):
        total = func.sum(LedgerEntry.amount)
        statement = (
            select(col(LedgerEntry.item_id), total)
            .where(*where)
            .group_by(col(LedgerEntry.item_id), age)
            .having(total != 0)
            .order_by(age, col(LedgerEntry.item_id))
            .limit(limit)
        )
        return dict((await session.exec(statement)).all())  # type: ignore[arg-type]
    sums = await grouped_sums(
        session, [col(LedgerEntry.item_id), age], col(LedgerEntry.amount), where
    )
    oldest = sorted(
        (key for key, amount in sums.items() if amount), key=lambda k: (k[1], str(k[0]))
    )
    return {key[0]: sums[key] for key in oldest[:limit]}
