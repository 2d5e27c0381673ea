"""Posting to the receivables ledger: items, dated entries, today's aging positions, the journal.

Everything here runs inside the consuming handler's transaction, so an event's whole effect and
its inbox row commit together or not at all. Items are plain rows held in the transaction's
batch state (read for a whole batch at once by `prepare`) and written with Core just before
commit: a fetch of thousands of events costs a handful of statements, not several per event.
"""

import uuid
from collections.abc import Collection
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, bindparam, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session
from sqlmodel.ext.asyncio.session import AsyncSession

from services.collections.domain.ledger import (
    AR_CONTROL_KINDS,
    SALES_KINDS,
    Entry,
    EntryKind,
    LedgerChange,
    NewItem,
    change_for,
)
from services.collections.handlers.batch import BatchState, Row, batch_state
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
from shared.db import IN_LIST_SIZE, chunks, insert_rows
from shared.events.catalog import EventPayload
from shared.events.journal import JournalEntry

# Payments carry no district or sales rep; until the customer is known they sit here.
UNASSIGNED = ""


def _table(model: type[CollectionsTable]) -> Table:
    return CollectionsTable.metadata.tables[str(model.__tablename__)]


ITEMS, ENTRIES, PARKED = _table(LedgerItem), _table(LedgerEntry), _table(ParkedEntry)
ACCOUNTS = _table(CollectionAccount)

# An item read back changes only in these columns.
_UPDATE_ITEM = (
    update(ITEMS)
    .where(ITEMS.c.id == bindparam("item_id"))
    .values(
        balance=bindparam("new_balance"),
        business_district=bindparam("new_district"),
        sales_rep=bindparam("new_rep"),
    )
)


def entry_id(event_id: uuid.UUID, index: int) -> uuid.UUID:
    """Deterministic, so a rebuild from the same events makes the same ids."""
    return uuid.uuid5(event_id, str(index))


class RunningTotals:
    """What events add to the running totals: today's aging positions, monthly sales. They
    build up in the transaction's batch state and are added to their rows just before commit."""

    def __init__(self, state: BatchState) -> None:
        self.state, self.positions, self.sales = state, state.positions, state.sales

    def add(self, item: Row, entry: Entry) -> None:
        self.positions[position_of(item)] += entry.amount
        if item["ar_control"] and entry.kind in SALES_KINDS:
            month = entry.entry_date.strftime("%Y-%m")
            self.sales[(item["currency"], item["business_district"], item["sales_rep"], month)] += (
                entry.amount
            )


def _write_ledger(session: Session, state: BatchState) -> None:
    """Just before commit: post what earlier transactions parked for the items this one opened,
    write the items opened and changed, then add the running totals to their rows."""
    _post_stored_parked(session, state)
    insert_rows(session, ITEMS, list(state.opened.values()))
    if state.changed:
        changed = [state.items[item_id] for item_id in sorted(state.changed)]
        session.execute(
            _UPDATE_ITEM,
            [
                {
                    "item_id": item["id"],
                    "new_balance": item["balance"],
                    "new_district": item["business_district"],
                    "new_rep": item["sales_rep"],
                }
                for item in changed
            ],
        )
    insert_rows(session, PARKED, [row for rows in state.parked.values() for row in rows.values()])
    _add_to(session, AgingPosition, POSITION_KEY, "balance", state.positions)
    _add_to(session, MonthlySales, SALES_KEY, "amount", state.sales)


def _state(session: AsyncSession) -> BatchState:
    return batch_state(session, _write_ledger)


def insert_at_commit(session: AsyncSession, model: type[CollectionsTable], **values: Any) -> None:
    """Insert a row of `model` with this transaction's others, just before it commits: only
    for tables no consumer reads (event log, journal), and with every column's value."""
    _state(session).rows[_table(model)].append(values)


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


def position_of(item: Row) -> tuple[Any, ...]:
    return tuple(item[name] for name in POSITION_KEY)


async def prepare(session: AsyncSession, changes: dict[uuid.UUID, LedgerChange]) -> None:
    """Read, in one query each, the items a batch's changes (by event id) post to and the
    districts of the customers whose new items need one, so that applying them reads nothing
    more; and keep the changes for `apply_change`."""
    state = _state(session)
    state.changes |= changes
    opened = {new.id for change in changes.values() for new in change.items}
    referenced = {entry.item_id for change in changes.values() for entry in change.entries}
    await _load_items(session, state, referenced - opened)
    customers = {
        new.customer_id
        for change in changes.values()
        for new in change.items
        if new.business_district is None
    }
    await _load_accounts(session, state, customers)


async def apply_change(session: AsyncSession, event_id: uuid.UUID, event: EventPayload) -> None:
    """Open the items the event's change opens, then post its entries (parking those whose item
    is unknown)."""
    state = _state(session)
    change = state.changes.pop(event_id, None)
    if change is None:
        change = change_for(event)
    totals = RunningTotals(state)
    for new in change.items:
        first = next(e.amount for e in change.entries if e.item_id == new.id)
        await _open_item(session, state, new, first)
    await _load_items(session, state, {e.item_id for e in change.entries})
    for index, entry in enumerate(change.entries):
        item = state.items.get(entry.item_id)
        if item is None:
            id_ = entry_id(event_id, index)
            state.parked[entry.item_id][id_] = {
                "id": id_,
                "item_id": entry.item_id,
                "kind": entry.kind,
                "amount": entry.amount,
                "entry_date": entry.entry_date,
                "reference": entry.reference,
                "event_id": event_id,
            }
            continue
        _post(state, item, entry, entry_id(event_id, index), event_id, totals)
    for new in change.items:
        # Parked earlier in this transaction; what earlier ones parked is posted at commit.
        for _, row in sorted(state.parked.pop(new.id, {}).items()):
            _post_parked_entry(state, state.items[new.id], row, totals)


async def _load_items(session: AsyncSession, state: BatchState, ids: Collection[uuid.UUID]) -> None:
    """Read the items among `ids` this transaction has not seen yet into its state."""
    missing = [i for i in ids if i not in state.items and i not in state.absent]
    if not missing:
        return
    for some in chunks(missing):
        rows = await session.exec(select(ITEMS).where(ITEMS.c.id.in_(some)))
        for row in rows.mappings():
            state.items[row["id"]] = dict(row)
    state.absent.update(i for i in missing if i not in state.items)


async def _load_accounts(
    session: AsyncSession, state: BatchState, customers: Collection[uuid.UUID]
) -> None:
    """Read the district and sales rep of the customers this transaction has not seen yet; a
    customer collections has not heard of yet is unassigned."""
    missing = [c for c in customers if c not in state.accounts]
    if not missing:
        return
    columns = (ACCOUNTS.c.id, ACCOUNTS.c.business_district, ACCOUNTS.c.sales_rep)
    with session.no_autoflush:  # a customer copied in this transaction is in the state already
        for some in chunks(missing):
            rows = await session.exec(select(*columns).where(ACCOUNTS.c.id.in_(some)))
            for customer_id, district, rep in rows.all():
                state.accounts[customer_id] = (district, rep or UNASSIGNED)
    for customer_id in missing:
        state.accounts.setdefault(customer_id, (UNASSIGNED, UNASSIGNED))


async def _open_item(
    session: AsyncSession, state: BatchState, new: NewItem, original: Decimal
) -> None:
    district, rep = new.business_district, new.sales_rep or UNASSIGNED
    if district is None:
        await _load_accounts(session, state, [new.customer_id])
        district, rep = state.accounts[new.customer_id]
    item = {
        "id": new.id,
        "customer_id": new.customer_id,
        "kind": new.kind,
        "number": new.number,
        "currency": new.currency,
        "document_date": new.document_date,
        "due_date": new.due_date,
        "business_district": district,
        "sales_rep": rep,
        "column": new.column,
        "ar_control": new.kind in AR_CONTROL_KINDS,
        "original_amount": original,
        "balance": Decimal(0),
    }
    state.items[new.id] = state.opened[new.id] = item
    state.absent.discard(new.id)


async def assign_customers_items(
    session: AsyncSession, customer_id: uuid.UUID, district: str, sales_rep: str | None
) -> None:
    """Give a customer's unassigned credits (cash that arrived before the customer did) the
    customer's district and sales rep, moving their entries and positions with them; items
    opened later in the transaction get them too."""
    state = _state(session)
    rep = sales_rep or UNASSIGNED
    state.accounts[customer_id] = (district, rep)
    stored = await session.exec(
        select(ITEMS).where(
            ITEMS.c.customer_id == customer_id, ITEMS.c.business_district == UNASSIGNED
        )
    )
    for row in stored.mappings():
        state.items.setdefault(row["id"], dict(row))  # this transaction's copy is the newer
    moving = [
        item
        for item in state.items.values()
        if item["customer_id"] == customer_id and item["business_district"] == UNASSIGNED
    ]
    if not moving:
        return
    totals = RunningTotals(state)
    for item in moving:
        totals.positions[position_of(item)] -= item["balance"]
        item["business_district"], item["sales_rep"] = district, rep
        totals.positions[position_of(item)] += item["balance"]
        if item["id"] not in state.opened:
            state.changed.add(item["id"])
    moved = {item["id"] for item in moving}
    for row in state.rows.get(ENTRIES, []):
        if row["item_id"] in moved:
            row["business_district"], row["sales_rep"] = district, rep
    await session.exec(
        update(ENTRIES)
        .where(ENTRIES.c.item_id.in_(list(moved)))
        .values(business_district=district, sales_rep=rep)
    )


def _post_stored_parked(session: Session, state: BatchState) -> None:
    """Entries committed as parked for the items this transaction opened, in a fixed order.
    Posting them at commit rather than at opening changes no total: entries and balances add
    up the same in any order, and only unassigned credits move district in between."""
    if not state.opened:
        return
    totals = RunningTotals(state)
    stored: list[Row] = []
    for ids in chunks(list(state.opened)):
        rows = session.execute(select(PARKED).where(PARKED.c.item_id.in_(ids)))
        stored += [dict(row) for row in rows.mappings()]
    for row in sorted(stored, key=lambda row: row["id"]):
        _post_parked_entry(state, state.opened[row["item_id"]], row, totals)
    for ids in chunks([row["id"] for row in stored]):
        session.execute(delete(PARKED).where(PARKED.c.id.in_(ids)))


def _post_parked_entry(state: BatchState, item: Row, row: Row, totals: RunningTotals) -> None:
    entry = Entry(
        item["id"], EntryKind(row["kind"]), row["amount"], row["entry_date"], row["reference"]
    )
    _post(state, item, entry, row["id"], row["event_id"], totals)


def _post(
    state: BatchState,
    item: Row,
    entry: Entry,
    id_: uuid.UUID,
    event_id: uuid.UUID,
    totals: RunningTotals,
) -> None:
    """Post an entry to its item; the entry row is inserted at commit, as no consumer reads
    entries back (`assign_customers_items` moves the ones not written yet itself)."""
    item["balance"] += entry.amount
    if item["id"] not in state.opened:
        state.changed.add(item["id"])
    state.rows[ENTRIES].append(
        {
            "id": id_,
            "item_id": item["id"],
            "customer_id": item["customer_id"],
            "kind": entry.kind,
            "amount": entry.amount,
            "entry_date": entry.entry_date,
            "reference": entry.reference,
            "event_id": event_id,
            "currency": item["currency"],
            "column": item["column"],
            "ar_control": item["ar_control"],
            "due_date": item["due_date"],
            "document_date": item["document_date"],
            "business_district": item["business_district"],
            "sales_rep": item["sales_rep"],
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
        for rows in chunks(ordered, IN_LIST_SIZE // (len(key_names) + 1)):
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
    session: AsyncSession,
    event_id: uuid.UUID,
    journal: JournalEntry | None,
    customer_id: uuid.UUID | None,
) -> None:
    """Keep every posting the event's journal entry made. The (entry, line) key is the
    posting's: a resent event cannot post it twice (the inbox drops it first)."""
    if journal is None:
        return  # an invoice imported before opening balances were posted
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
            jurisdiction=posting.jurisdiction,
            event_id=event_id,
        )
