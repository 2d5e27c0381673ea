"""Reads for reconciliations: the ledger per customer as of a day, and what was recorded."""

import uuid
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, bindparam, case, or_
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.collections.domain.reconciliation import DocumentKind, LedgerCustomer, LedgerDocument
from services.collections.models import (
    CollectionAccount,
    LedgerEntry,
    LedgerItem,
    Reconciliation,
    ReconciliationDifference,
)
from shared.api.problems import NotFound
from shared.db import Prepared, on_postgres

_KINDS = {kind.value: kind for kind in DocumentKind}  # a lookup, not an Enum call per item
_AS_OF = bindparam("as_of", type_=Date)
_ON_OR_BEFORE = col(LedgerEntry.entry_date) <= _AS_OF
_BALANCE = func.sum(case((_ON_OR_BEFORE, col(LedgerEntry.amount)), else_=0))
_LATER = func.sum(case((_ON_OR_BEFORE, 0), else_=col(LedgerEntry.amount)))
# 50,000 customers' items are read straight off the driver: the ORM's row handling would take
# most of the time (shared.db.Prepared).
_BALANCES = Prepared(
    select(  # type: ignore[call-overload]
        col(LedgerItem.customer_id),
        col(LedgerItem.number),
        col(LedgerItem.kind),
        col(LedgerItem.document_date),
        _BALANCE,
        _LATER,
    )
    .select_from(LedgerEntry)
    .join(LedgerItem, col(LedgerItem.id) == col(LedgerEntry.item_id))
    .group_by(col(LedgerItem.id))
    .having(or_(_BALANCE != 0, _LATER != 0))
)
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


async def ledger_by_account(
    session: AsyncSession, as_of: date
) -> tuple[dict[str, LedgerCustomer], dict[uuid.UUID, str]]:
    """Every customer's items as of `as_of` (with what later-dated entries changed since), keyed
    by account number in capitals; and each customer's currency. An item at zero then and since
    is left out: it cannot differ."""
    balances = await _item_balances(session, as_of)
    accounts = await _ACCOUNTS.run(session, {})
    customers = {
        customer_id: LedgerCustomer(customer_id, number) for customer_id, number, _ in accounts
    }
    currencies = {customer_id: currency for customer_id, _, currency in accounts}
    for customer_id, number, kind, document_date, balance, later in balances:
        customer = customers.get(customer_id)
        if customer is None:
            # Events ahead of the customer's own: no account number to reconcile it by yet.
            customer = customers[customer_id] = LedgerCustomer(customer_id, str(customer_id))
        customer.documents.append(
            LedgerDocument(number, _KINDS[kind], document_date, balance, later)
        )
    return {c.account_number.strip().upper(): c for c in customers.values()}, currencies


async def _item_balances(session: AsyncSession, as_of: date) -> Sequence[Sequence[Any]]:
    """(customer, number, kind, date, balance as of, change since) of every item not at zero
    then and since: PostgreSQL sums in one pass; SQLite's SUM would make floats of the
    decimals it keeps as text, so there the entries are added up here."""
    if on_postgres(session):
        return await _BALANCES.run(session, {"as_of": as_of})
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
