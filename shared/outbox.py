"""The transactional outbox: events are rows written with the change, sent later by the relay.

Nothing is sent to the bus inside a request. The relay sends unsent rows in order and then marks
them sent; after a crash between the two it sends them again, which consumers' inboxes absorb.
"""

import asyncio
import logging
import zlib
from collections.abc import Sequence
from typing import Any

from sqlalchemy import text, update
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared import context
from shared.bus import Bus, BusMessage
from shared.clock import Clock
from shared.db import Database, RowBatch
from shared.events.catalog import EventPayload, topic_for
from shared.events.envelope import EventEnvelope
from shared.observability import EVENTS_RELAYED, OUTBOX_OLDEST_AGE, OUTBOX_UNSENT
from shared.tables import OutboxMessage

log = logging.getLogger(__name__)


class Outbox:
    """Writes one service's events; a service may publish only the events the catalog gives it."""

    def __init__(self, producer: str) -> None:
        self.producer = producer
        self.topic = topic_for(producer)

    def add(
        self,
        session: AsyncSession,
        payload: EventPayload,
        *,
        customer_id: str,
        aggregate_id: str,
        batch: RowBatch | None = None,
    ) -> EventEnvelope:
        """The event added to the caller's transaction, or to the `batch` it writes at once."""
        if payload.producer != self.producer:
            raise ValueError(f"{self.producer} may not publish {payload.event_type}")
        envelope = EventEnvelope.wrap(
            payload,
            customer_id=customer_id,
            aggregate_id=aggregate_id,
            correlation_id=context.correlation_id.get() or context.request_id.get(),
            causation_id=context.causation_id.get(),
        )
        message: dict[str, Any] = {
            "event_id": envelope.id,
            "topic": self.topic,
            "key": customer_id,
            "event_type": envelope.type,
            "envelope": envelope.to_bytes(),
        }
        if batch is None:
            session.add(OutboxMessage(**message))
        else:
            batch.add(OutboxMessage, **message)
        return envelope


def relayed_message(topic: str, key: str, event_type: str, envelope: bytes) -> BusMessage:
    """An event as the relay sends it: keyed by customer, its type in a header (consumers pick
    the payload's model by it before reading the envelope)."""
    return BusMessage(
        topic=topic, key=key, value=envelope, headers=(("event_type", event_type.encode()),)
    )


class OutboxRelay:
    """Sends a service's unsent outbox rows to the bus, oldest first."""

    def __init__(
        self,
        db: Database,
        bus: Bus,
        *,
        name: str,
        interval_seconds: float = 0.1,
        batch_size: int = 500,
        clock: Clock | None = None,
    ) -> None:
        self.db, self.bus, self.name = db, bus, name
        self.clock = clock or Clock()
        self.interval, self.batch_size = interval_seconds, batch_size

    async def relay_once(self) -> int:
        """Send one batch; return how many rows it sent."""
        # Read, send and mark in separate steps so no database connection is held while the bus
        # works: in embedded mode the bus runs other services' consumers inside `publish`.
        async with self.db.transaction() as session:
            rows = (
                await session.exec(
                    select(OutboxMessage)
                    .where(col(OutboxMessage.sent_at).is_(None))
                    .order_by(col(OutboxMessage.seq))
                    .limit(self.batch_size)
                )
            ).all()
        await self._measure(rows)
        if not rows:
            return 0
        await self.bus.publish(
            [relayed_message(row.topic, row.key, row.event_type, row.envelope) for row in rows]
        )
        await self.mark_sent([row.seq for row in rows if row.seq is not None])
        EVENTS_RELAYED.labels(self.name).inc(len(rows))
        return len(rows)

    async def _measure(self, rows: Sequence[OutboxMessage]) -> None:
        """The backlog and the age of its oldest row, for on call: read from the batch, and
        counted only when the batch is full (a backlog larger than one batch)."""
        unsent = len(rows)
        if unsent == self.batch_size:
            async with self.db.transaction() as session:
                unsent = (
                    await session.exec(
                        select(func.count()).where(col(OutboxMessage.sent_at).is_(None))
                    )
                ).one()
        OUTBOX_UNSENT.labels(self.name).set(unsent)
        oldest = (self.clock.now() - rows[0].created_at).total_seconds() if rows else 0.0
        OUTBOX_OLDEST_AGE.labels(self.name).set(max(0.0, oldest))

    async def mark_sent(self, seqs: list[int]) -> None:
        async with self.db.transaction() as session:
            await session.exec(
                update(OutboxMessage)
                .where(col(OutboxMessage.seq).in_(seqs))
                .values(sent_at=self.clock.now())
            )

    async def run(self) -> None:
        """Relay until cancelled; errors are logged and retried, never fatal."""
        if not self.db.is_sqlite:
            await self._run_as_leader()
            return
        await self._loop()

    async def _loop(self) -> None:
        while True:
            try:
                sent = await self.relay_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox relay of %s failed; retrying", self.name)
                sent = 0
                await asyncio.sleep(self.interval * 10)
            if sent < self.batch_size:
                await asyncio.sleep(self.interval)

    async def _run_as_leader(self) -> None:
        # Several instances of a service share one database: only the holder of this
        # PostgreSQL advisory lock relays, so each customer's events leave in order.
        lock_key = zlib.crc32(f"outbox-relay:{self.name}".encode())
        while True:
            try:
                async with self.db.engine.connect() as conn:
                    while not await conn.scalar(
                        text("SELECT pg_try_advisory_lock(:key)"), {"key": lock_key}
                    ):
                        await conn.rollback()
                        await asyncio.sleep(self.interval * 20)
                    await conn.commit()  # the lock outlives the transaction; don't idle in one
                    await self._loop()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox relay of %s lost its database; retrying", self.name)
                await asyncio.sleep(1)
