"""Posting to the receivables ledger: items, dated entries, today's aging positions, the journal.

Everything here runs inside the consuming handler's transaction, so an event's whole effect and
its inbox row commit together or not at all.
"""

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import inspect, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.collections.batch import BatchState, batch_state
from services.collections.ledger_rules import (
    AR_CONTROL_KINDS,
    SALES_KINDS,
    Entry,
    EntryKind,
    LedgerChange,
    NewItem,
)
from services.collections.models import (
    AgingPosition,
    CollectionAccount,
    CollectionsTable,
    JournalLine,
    LedgerEntry,
    LedgerItem,
    MonthlySales,
    ParkedEntry,
)
from services.collections.sums import CHUNK, chunks
from shared.events.journal import JournalEntry

# Payments carry no district or sales rep; until the customer is known they sit here.
UNASSIGNED = ""


def entry_id(event_id: uuid.UUID, index: int) -> uuid.UUID:
    """Deterministic, so a rebuild from the same events makes the same ids."""
    return uuid.uuid5(event_id, str(index))


class RunningTotals:
    """What events add to the running totals: today's aging positions, monthly sales. They
    build up in the transaction's batch state and are added to their rows just before commit."""

    def __init__(self, state: BatchState) -> None:
        self.state, self.positions, self.sales = state, state.positions, state.sales

    def add(self, item: LedgerItem, entry: Entry) -> None:
        self.positions[tuple(getattr(item, name) for name in POSITION_KEY)] += entry.amount
        if item.ar_control and entry.kind in SALES_KINDS:
            month = entry.entry_date.strftime("%Y-%m")
            self.sales[(item.currency, item.business_district, item.sales_rep, month)] += (
                entry.amount
            )


def _write_totals(session: Session, state: BatchState) -> None:
    """Just before commit: post what earlier transactions parked for the items this one opened
    (one query for them all), then add the running totals to their rows."""
    _post_stored_parked(session, state)
    _add_to(session, AgingPosition, POSITION_KEY, "balance", state.positions)
    _add_to(session, MonthlySales, SALES_KEY, "amount", state.sales)


def _state(session: AsyncSession) -> BatchState:
    return batch_state(session, _write_totals)


ENTRIES = CollectionsTable.metadata.tables[str(LedgerEntry.__tablename__)]


def insert_at_commit(session: AsyncSession, model: type[CollectionsTable], **values: Any) -> None:
    """Insert a row of `model` with this transaction's others, just before it commits: only
    for tables no consumer reads (event log, journal), and with every column's value."""
    _state(session).rows[CollectionsTable.metadata.tables[str(model.__tablename__)]].append(values)


SALES_KEY = ("currency", "business_district", "sales_rep", "month")
POSITION_KEY = (
    "currency",
    "column",
    "ar_control",
    "business_district",
    "sales_rep",
    "due_date",
    "document_date",
)


async def apply_change(session: AsyncSession, change: LedgerChange, event_id: uuid.UUID) -> None:
    """Open the change's items, then post its entries (parking those whose item is unknown).
    Reads go to the transaction's batch state first and never autoflush: the previous events'
    rows are written together, not one round trip per table per event."""
    state = _state(session)
    items: dict[uuid.UUID, LedgerItem] = {}
    for new in change.items:
        first = next(e.amount for e in change.entries if e.item_id == new.id)
        items[new.id] = state.items[new.id] = await _open_item(session, new, first)
    opened = list(items)
    await _known_items(session, state, {e.item_id for e in change.entries} - set(items), items)
    totals = RunningTotals(state)
    for index, entry in enumerate(change.entries):
        item = items.get(entry.item_id)
        if item is None:
            parked = ParkedEntry(
                id=entry_id(event_id, index),
                item_id=entry.item_id,
                kind=entry.kind,
                amount=entry.amount,
                entry_date=entry.entry_date,
                reference=entry.reference,
                event_id=event_id,
            )
            session.add(parked)
            state.parked[parked.item_id][parked.id] = parked
            continue
        _post(item, entry, entry_id(event_id, index), event_id, totals)
    for item_id in opened:
        # Parked earlier in this transaction; what earlier ones parked is posted at commit.
        state.opened.append(items[item_id])
        for _, row in sorted(state.parked.pop(item_id, {}).items()):
            _post_parked_entry(items[item_id], row, totals)
            if inspect(row).persistent:
                await session.delete(row)  # flushed by an earlier query of this transaction
            else:
                session.expunge(row)  # never written


async def _known_items(
    session: AsyncSession,
    state: BatchState,
    ids: set[uuid.UUID],
    into: dict[uuid.UUID, LedgerItem],
) -> None:
    """Items opened or read earlier in this transaction come from its state; only the others
    are read, without autoflush: every item this transaction opened is in the state, and a
    loaded one comes back as the same object with its in-memory balance."""
    into |= {i: state.items[i] for i in ids if i in state.items}
    missing = [i for i in ids if i not in state.items]
    if not missing:
        return
    with session.no_autoflush:
        rows = await session.exec(select(LedgerItem).where(col(LedgerItem.id).in_(missing)))
        found = {item.id: item for item in rows.all()}
    state.items |= found
    into |= found


async def _open_item(session: AsyncSession, new: NewItem, original: Decimal) -> LedgerItem:
    district, rep = new.business_district, new.sales_rep
    if district is None:
        # No autoflush: a customer registered earlier in this transaction was flushed by
        # `assign_customers_items`, so `get` finds it in the identity map.
        with session.no_autoflush:
            account = await session.get(CollectionAccount, new.customer_id)
        district = account.business_district if account else UNASSIGNED
        rep = account.sales_rep if account else None
    item = LedgerItem(
        id=new.id,
        customer_id=new.customer_id,
        kind=new.kind,
        number=new.number,
        currency=new.currency,
        document_date=new.document_date,
        due_date=new.due_date,
        business_district=district,
        sales_rep=rep or UNASSIGNED,
        column=new.column,
        ar_control=new.kind in AR_CONTROL_KINDS,
        original_amount=original,
        balance=Decimal(0),
    )
    session.add(item)
    return item


async def assign_customers_items(
    session: AsyncSession, customer_id: uuid.UUID, district: str, sales_rep: str | None
) -> None:
    """Give a customer's unassigned credits (cash that arrived before the customer did) the
    customer's district and sales rep, moving their entries and positions with them."""
    statement = select(LedgerItem).where(
        LedgerItem.customer_id == customer_id, LedgerItem.business_district == UNASSIGNED
    )
    # Autoflushes: this transaction's items must be in the database to be found here.
    items = (await session.exec(statement)).all()
    if not items:
        return
    state = _state(session)
    totals = RunningTotals(state)
    for item in items:
        state.items[item.id] = item
        totals.positions[tuple(getattr(item, name) for name in POSITION_KEY)] -= item.balance
        item.business_district, item.sales_rep = district, sales_rep or UNASSIGNED
        totals.positions[tuple(getattr(item, name) for name in POSITION_KEY)] += item.balance
    moved = {item.id for item in items}
    for row in state.rows.get(ENTRIES, []):
        if row["item_id"] in moved:
            row["business_district"], row["sales_rep"] = district, sales_rep or UNASSIGNED
    await session.exec(
        update(LedgerEntry)
        .where(col(LedgerEntry.item_id).in_(list(moved)))
        .values(business_district=district, sales_rep=sales_rep or UNASSIGNED)
    )


def _post_stored_parked(session: Session, state: BatchState) -> None:
    """Entries committed as parked for the items this transaction opened, in a fixed order.
    Posting them at commit rather than at opening changes no total: entries and balances add
    up the same in any order, and only unassigned credits move district in between."""
    by_id = {item.id: item for item in state.opened}
    totals = RunningTotals(state)
    for ids in chunks(list(by_id)):
        statement = select(ParkedEntry).where(col(ParkedEntry.item_id).in_(ids))
        for row in sorted(session.scalars(statement).all(), key=lambda row: row.id):
            _post_parked_entry(by_id[row.item_id], row, totals)
            session.delete(row)


def _post_parked_entry(item: LedgerItem, row: ParkedEntry, totals: RunningTotals) -> None:
    entry = Entry(item.id, EntryKind(row.kind), row.amount, row.entry_date, row.reference)
    _post(item, entry, row.id, row.event_id, totals)


def _post(
    item: LedgerItem, entry: Entry, id_: uuid.UUID, event_id: uuid.UUID, totals: RunningTotals
) -> None:
    """Post an entry to its item; the entry row is inserted at commit, as no consumer reads
    entries back (`assign_customers_items` moves the ones not written yet itself)."""
    item.balance += entry.amount
    totals.state.rows[ENTRIES].append(
        {
            "id": id_,
            "item_id": item.id,
            "customer_id": item.customer_id,
            "kind": entry.kind,
            "amount": entry.amount,
            "entry_date": entry.entry_date,
            "reference": entry.reference,
            "event_id": event_id,
            "currency": item.currency,
            "column": item.column,
            "ar_control": item.ar_control,
            "due_date": item.due_date,
            "document_date": item.document_date,
            "business_district": item.business_district,
            "sales_rep": item.sales_rep,
        }
    )
    totals.add(item, entry)


def _add_to(
    session: Session,
    model: type[CollectionsTable],
    key_names: tuple[str, ...],
    value_name: str,
    deltas: dict[tuple[Any, ...], Decimal],
) -> None:
    """Add each delta to its row of a running total (synchronously: it runs in the commit).
    Keys in a fixed order, so concurrent consumers queue for rows instead of deadlocking."""
    if not deltas:
        return
    ordered = sorted(deltas.items(), key=lambda kv: tuple(str(v) for v in kv[0]))
    if session.get_bind().dialect.name == "postgresql":
        # One statement, and concurrent consumers add to a row instead of overwriting it.
        table = CollectionsTable.metadata.tables[str(model.__tablename__)]
        for rows in chunks(ordered, CHUNK // (len(key_names) + 1)):
            statement = pg_insert(table).values(
                [dict(zip(key_names, key, strict=True), **{value_name: v}) for key, v in rows]
            )
            session.execute(
                statement.on_conflict_do_update(
                    index_elements=list(key_names),
                    set_={value_name: table.c[value_name] + statement.excluded[value_name]},
                )
            )
        return
    # SQLite keeps decimals as text, so add in Python (its single connection serialises writers).
    for key, amount in ordered:
        row = session.get(model, key)
        if row is None:
            session.add(model(**dict(zip(key_names, key, strict=True)), **{value_name: amount}))
        else:
            setattr(row, value_name, getattr(row, value_name) + amount)


def record_journal(
    session: AsyncSession, journal: JournalEntry | None, customer_id: uuid.UUID | None
) -> None:
    """Keep every posting the event's journal entry made."""
    if journal is None:
        return  # an imported invoice already in the GL
    for line_no, posting in enumerate(journal.postings, start=1):
        insert_at_commit(
            session,
            JournalLine,
            entry_id=journal.entry_id,
            line_no=line_no,
            posted_on=journal.posted_on,
            currency=journal.currency,
            source=journal.source,
            document_id=journal.document_id,
            document_number=journal.document_number,
            customer_id=customer_id,
            account=posting.account,
            debit=posting.debit,
            credit=posting.credit,
            business_district=posting.business_district,
            memo=posting.memo,
        )
