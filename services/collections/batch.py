"""What one consuming transaction keeps in memory so that a batch of events costs few statements.

The inbox applies a whole fetch of events in one transaction. Every query would autoflush the
previous events' rows first, one round trip per table per event, so the ledger keeps what it needs
to read back here instead: the items it opened or loaded, the entries it parked, the rows no
consumer reads back (event log, journal), inserted together just before commit, and the running
totals (aging positions, monthly sales), added to their rows then. Everything is dropped when the
transaction ends.
"""

import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, event, insert
from sqlalchemy.orm import Session
from sqlmodel.ext.asyncio.session import AsyncSession

from services.collections.models import LedgerItem, ParkedEntry

_STATE = "collections.batch"
_LISTENING = "collections.batch.listening"

Totals = dict[tuple[Any, ...], Decimal]


@dataclass
class BatchState:
    """This transaction's items (loaded, and opened in order), entries it parked, and running
    totals and rows not yet written."""

    items: dict[uuid.UUID, LedgerItem] = field(default_factory=dict)
    opened: list[LedgerItem] = field(default_factory=list)
    parked: dict[uuid.UUID, dict[uuid.UUID, ParkedEntry]] = field(
        default_factory=lambda: defaultdict(dict)
    )
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
            if rows:  # an empty list would insert one row of defaults
                session.execute(insert(table), rows)

    @event.listens_for(sync, "after_rollback")
    def _forget(session: Session) -> None:
        session.info.pop(_STATE, None)
