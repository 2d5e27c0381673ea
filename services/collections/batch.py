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


# What the ledger writes at commit; runs first, so it can still post entries and count totals.
TotalsWriter = Callable[[Session, BatchState], None]


def batch_state(session: AsyncSession, write_totals: TotalsWriter) -> BatchState:
    """The current transaction's state; `write_totals` runs once just before it commits."""
    sync = session.sync_session
    state: BatchState | None = sync.info.get(_STATE)
    if state is not None:
        return state
    state = sync.info[_STATE] = BatchState()
    if not sync.info.get(_LISTENING):
        # Once per session: a session that runs several transactions must not write twice.
        sync.info[_LISTENING] = True

        @event.listens_for(sync, "before_commit")
        def _write(session: Session) -> None:
            pending: BatchState | None = session.info.pop(_STATE, None)
            if pending is not None:
                write_totals(session, pending)
                for table, rows in pending.rows.items():
                    session.execute(insert(table), rows)

        @event.listens_for(sync, "after_rollback")
        def _forget(session: Session) -> None:
            session.info.pop(_STATE, None)

    return state
