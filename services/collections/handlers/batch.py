"""What one consuming transaction keeps in memory so that a batch of events costs few statements.

The inbox applies a whole fetch of events in one transaction. The ledger works on plain rows
kept here instead of ORM objects and queries: the items it opened or loaded (read for the whole
batch at once), the customers' districts, the entries it parked, the running totals (aging
positions, monthly sales) and the rows to insert (entries, event log, journal). All of it is
written with a few Core statements just before commit, and dropped when the transaction ends.
"""

import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, event
from sqlalchemy.orm import Session
from sqlmodel.ext.asyncio.session import AsyncSession

from services.collections.domain.ledger import LedgerChange
from shared.db import insert_rows

_STATE = "collections.batch"
_LISTENING = "collections.batch.listening"

Totals = dict[tuple[Any, ...], Decimal]
# A ledger item or parked entry as a row of its table (column name -> value).
Row = dict[str, Any]


@dataclass
class BatchState:
    """This transaction's items, customers, parked entries, running totals and rows not yet
    written."""

    # The ledger change of each event prepared but not applied yet, by event id.
    changes: dict[uuid.UUID, LedgerChange] = field(default_factory=dict)
    # Every item this transaction opened or read, by id; and the ids known not to exist yet.
    items: dict[uuid.UUID, Row] = field(default_factory=dict)
    absent: set[uuid.UUID] = field(default_factory=set)
    # Items opened here (inserted at commit), and items read here whose row changed (updated).
    opened: dict[uuid.UUID, Row] = field(default_factory=dict)
    changed: set[uuid.UUID] = field(default_factory=set)
    # Each customer's (district, sales rep), as read or as a customer event in this batch set it.
    accounts: dict[uuid.UUID, tuple[str, str]] = field(default_factory=dict)
    # Entries parked here for items not open yet, by item id then entry id.
    parked: dict[uuid.UUID, dict[uuid.UUID, Row]] = field(default_factory=lambda: defaultdict(dict))
    positions: Totals = field(default_factory=lambda: defaultdict(Decimal))
    sales: Totals = field(default_factory=lambda: defaultdict(Decimal))
    # Rows inserted with Core at commit: building them as ORM objects costs more than the rest.
    rows: dict[Table, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    # Payments received or returned, in order, to count against promises at commit.
    payments: list[Any] = field(default_factory=list)
    # What runs at commit, in the order first asked for, before the rows are inserted.
    writers: dict["Writer", None] = field(default_factory=dict)


# Runs just before commit, so it can still post entries, count totals and add rows.
Writer = Callable[[Session, BatchState], None]


def batch_state(session: AsyncSession, writer: Writer) -> BatchState:
    """The current transaction's state; `writer` runs once just before it commits."""
    sync = session.sync_session
    state: BatchState | None = sync.info.get(_STATE)
    if state is None:
        state = sync.info[_STATE] = BatchState()
        _listen(sync)
    state.writers.setdefault(writer)
    return state


def _listen(sync: Session) -> None:
    if sync.info.get(_LISTENING):
        return  # once per session: one that runs several transactions must not write twice
    sync.info[_LISTENING] = True

    @event.listens_for(sync, "before_commit")
    def _write(session: Session) -> None:
        pending: BatchState | None = session.info.pop(_STATE, None)
        if pending is None:
            return
        for writer in pending.writers:
            writer(session, pending)
        for table, rows in pending.rows.items():
            insert_rows(session, table, rows)

    @event.listens_for(sync, "after_rollback")
    def _forget(session: Session) -> None:
        session.info.pop(_STATE, None)
