"""Reads for reconciliations: the ledger per customer as of a day, and what was recorded."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, Date, Integer, MetaData, Table, Text, bindparam, text
from sqlalchemy.schema import CreateTable, DropTable
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.collections.domain.reconciliation import (
    DocumentKind,
    LedgerCustomer,
    LedgerDocument,
    SourceRow,
    account_key,
    document_key,
)
from services.collections.models import (
    CollectionAccount,
    LedgerEntry,
    LedgerItem,
    Reconciliation,
    ReconciliationDifference,
)
from shared.api.problems import NotFound
from shared.db import DecimalType, Prepared, insert_rows, on_postgres

_KINDS = {kind.value: kind for kind in DocumentKind}  # a lookup, not an Enum call per item

# The side's rows, as far as matching needs them, for the comparison in PostgreSQL.
_SOURCE = Table(
    "reconciliation_source",
    MetaData(),
    Column("file_row", Integer),
    Column("account", Text),
    Column("document", Text),
    Column("amount", DecimalType),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DROP",
)
# What is left to compare once PostgreSQL has set aside every pair that agrees: one row and one
# item of the same account, number and balance (most of them). An item's balance as of the day
# is today's balance less what entries dated after the day changed it by (the aging's rule), so
# only the entries since the day are read, not every item's history. With them, the ledger's
# AR as of the day per currency. Keys are matched as domain/reconciliation.py matches them.
_LEFT_TO_COMPARE = text("""
WITH since AS (
    SELECT item_id, SUM(amount) AS later FROM ledger_entries WHERE entry_date > :as_of
    GROUP BY item_id
), ledger AS (
    SELECT i.id, i.customer_id, i.number, i.kind, i.document_date,
           COALESCE(a.currency, '?') AS currency,
           COALESCE(upper(btrim(a.account_number)), upper(i.customer_id::text)) AS account,
           NULLIF(upper(btrim(i.number)), '') AS document,
           i.balance - COALESCE(s.later, 0) AS balance, COALESCE(s.later, 0) AS later
    FROM ledger_items i
    LEFT JOIN since s ON s.item_id = i.id
    LEFT JOIN collection_accounts a ON a.id = i.customer_id
    WHERE i.balance <> 0 OR s.later <> 0
), listed AS (
    SELECT account, document, count(*) AS times, min(amount) AS amount, min(file_row) AS file_row
    FROM reconciliation_source WHERE document IS NOT NULL GROUP BY account, document
), matched AS (
    SELECT l.*, k.file_row,
           k.times = 1 AND count(*) OVER (PARTITION BY l.account, l.document) = 1
               AND l.balance = k.amount AS agrees
    FROM ledger l LEFT JOIN listed k ON k.account = l.account AND k.document = l.document
)
SELECT 'ledger', customer_id, number, kind, document_date, balance, later, currency,
       NULL::integer
FROM matched
-- an item at zero on the day matters only beside a row of its number
WHERE agrees IS NOT TRUE AND (balance <> 0 OR file_row IS NOT NULL)
UNION ALL
SELECT 'source', NULL, NULL, NULL, NULL, NULL, NULL, NULL, s.file_row
FROM reconciliation_source s
LEFT JOIN (SELECT file_row FROM matched WHERE agrees) g ON g.file_row = s.file_row
WHERE g.file_row IS NULL
UNION ALL
SELECT 'total', NULL, NULL, NULL, NULL, SUM(balance), NULL, currency, NULL
FROM ledger GROUP BY currency
""").bindparams(bindparam("as_of", type_=Date))
_ENTRIES = Prepared(
    select(col(LedgerEntry.item_id), col(LedgerEntry.entry_date), col(LedgerEntry.amount))
)
_ITEMS = Prepared(
    select(  # type: ignore[call-overload]
        col(LedgerItem.id),
        col(LedgerItem.customer_id),
        col(LedgerItem.number),
        col(LedgerItem.kind),
        col(LedgerItem.document_date),
    )
)
_ACCOUNTS = Prepared(
    select(
        col(CollectionAccount.id),
        col(CollectionAccount.account_number),
        col(CollectionAccount.currency),
    )
)


@dataclass
class LedgerView:
    """The ledger as of a day, beside one side's rows, as `compare` takes them."""

    customers: dict[str, LedgerCustomer]  # every customer, by account_key
    currencies: dict[uuid.UUID, str]
    rows: list[SourceRow]  # the side's rows left to compare
    listed: set[str]  # every account the side lists, by account_key
    totals: dict[str, Decimal] = field(default_factory=dict)  # AR per customer currency


async def ledger_against(session: AsyncSession, as_of: date, rows: list[SourceRow]) -> LedgerView:
    """Every customer's items as of `as_of` (with what later-dated entries changed since) beside
    the side's rows. On PostgreSQL the pairs that agree are set aside in one statement, so only
    what may differ comes back; elsewhere (SQLite) everything is compared here."""
    accounts = await _ACCOUNTS.run(session, {})
    customers = {
        customer_id: LedgerCustomer(customer_id, number) for customer_id, number, _ in accounts
    }
    view = LedgerView(
        customers={},
        currencies={customer_id: currency for customer_id, _, currency in accounts},
        rows=rows,
        listed={account_key(r.account_number) for r in rows},
    )
    if on_postgres(session):
        items = await _left_to_compare(session, as_of, view)
    else:
        items = await _all_items(session, as_of)
    for customer_id, number, kind, document_date, balance, later in items:
        customer = customers.get(customer_id)
        if customer is None:
            # Events ahead of the customer's own: no account number to reconcile it by yet.
            customer = customers[customer_id] = LedgerCustomer(customer_id, str(customer_id))
        customer.documents.append(
            LedgerDocument(number, _KINDS[kind], document_date, balance, later)
        )
    view.customers = {account_key(c.account_number): c for c in customers.values()}
    if not view.totals:
        for c in view.customers.values():
            currency = view.currencies.get(c.customer_id, "?")
            view.totals[currency] = view.totals.get(currency, Decimal(0)) + c.balance
    return view


async def _left_to_compare(
    session: AsyncSession, as_of: date, view: LedgerView
) -> list[tuple[Any, ...]]:
    """The items left to compare; `view.rows` narrowed to the rows left, its totals filled."""
    source = [
        {
            "file_row": r.row,
            "account": account_key(r.account_number),
            "document": document_key(r.document),
            "amount": r.amount,
        }
        for r in view.rows
    ]
    await session.execute(CreateTable(_SOURCE))
    await session.run_sync(insert_rows, _SOURCE, source)
    await session.execute(text("ANALYZE reconciliation_source"))  # the planner sees its size
    # Compiling this statement's plan (JIT) costs more than running it: over a second of the
    # few a reconciliation of 50,000 customers takes.
    await session.execute(text("SET LOCAL jit = off"))
    items, left = [], set()
    compared = await session.execute(_LEFT_TO_COMPARE, {"as_of": as_of})
    for what, *item, currency, file_row in compared:
        if what == "ledger":
            items.append(tuple(item))
        elif what == "source":
            left.add(file_row)
        else:
            view.totals[currency] = item[4]
    await session.execute(DropTable(_SOURCE))
    view.rows = [r for r in view.rows if r.row in left]
    return items


async def _all_items(session: AsyncSession, as_of: date) -> list[tuple[Any, ...]]:
    """(customer, number, kind, date, balance as of, change since) of every item not at zero
    then and since. SQLite's SUM would make floats of the decimals it keeps as text, so the
    entries are added up here."""
    zero = Decimal(0)
    sums: dict[uuid.UUID, list[Decimal]] = {}
    for item_id, entry_date, amount in await _ENTRIES.run(session, {}):
        pair = sums.setdefault(item_id, [zero, zero])
        pair[entry_date > as_of] += amount
    return [
        (customer_id, number, kind, document_date, *sums[item_id])
        for item_id, customer_id, number, kind, document_date in await _ITEMS.run(session, {})
        if any(sums.get(item_id, ()))
    ]


async def get_reconciliation(session: AsyncSession, reconciliation_id: uuid.UUID) -> Reconciliation:
    found = await session.get(Reconciliation, reconciliation_id)
    if found is None:
        raise NotFound(f"no reconciliation {reconciliation_id}")
    return found


async def reconciliations(
    session: AsyncSession, as_of: date | None = None
) -> Sequence[Reconciliation]:
    """Newest first, optionally those of one day."""
    statement = select(Reconciliation).order_by(
        col(Reconciliation.as_of).desc(), col(Reconciliation.created_at).desc()
    )
    if as_of is not None:
        statement = statement.where(col(Reconciliation.as_of) == as_of)
    return (await session.exec(statement)).all()


async def differences(
    session: AsyncSession, reconciliation_id: uuid.UUID, *, open_only: bool = False
) -> Sequence[ReconciliationDifference]:
    statement = select(ReconciliationDifference).where(
        col(ReconciliationDifference.reconciliation_id) == reconciliation_id
    )
    if open_only:
        statement = statement.where(col(ReconciliationDifference.resolution) == "open")
    return (
        await session.exec(
            statement.order_by(
                col(ReconciliationDifference.side),
                col(ReconciliationDifference.account_number),
                col(ReconciliationDifference.document),
            )
        )
    ).all()


async def get_difference(
    session: AsyncSession, reconciliation_id: uuid.UUID, difference_id: uuid.UUID
) -> ReconciliationDifference:
    found = await session.get(ReconciliationDifference, difference_id)
    if found is None or found.reconciliation_id != reconciliation_id:
        raise NotFound(f"no difference {difference_id} in reconciliation {reconciliation_id}")
    return found


async def signed_reconciliation(session: AsyncSession, as_of: date) -> Reconciliation | None:
    """The latest reconciliation of the day that a supervisor signed off."""
    return (
        await session.exec(
            select(Reconciliation)
            .where(
                col(Reconciliation.as_of) == as_of,
                col(Reconciliation.signed_off_by).is_not(None),
            )
            .order_by(col(Reconciliation.signed_off_at).desc())
        )
    ).first()
