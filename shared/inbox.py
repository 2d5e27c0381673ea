"""Idempotent consumers: each event's effect and its inbox row commit in one transaction.

A repeat of an event already in the inbox is acknowledged and ignored. A handler that keeps
failing is retried a bounded number of times, then the message goes to the topic's dead-letter
topic with the error (and, on a bus that keeps no messages, into the service's own
`dead_letters` table) and the consumer moves on.
"""

import asyncio
import hashlib
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, cast

from pydantic import ValidationError
from sqlalchemy import text, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared import context
from shared.bus import Bus, BusMessage
from shared.clock import Clock
from shared.db import Database, insert_rows
from shared.events.catalog import EventPayload, dead_letter_topic, entry_for, topic_for
from shared.events.envelope import EventEnvelope, typed_envelope
from shared.observability import DEAD_LETTERS, DELIVERY_LAG, EVENTS_CONSUMED, EVENTS_REPLAYED
from shared.tables import DeadLetter, InboxRecord, MechanismTable

log = logging.getLogger(__name__)

INBOX = MechanismTable.metadata.tables[str(InboxRecord.__tablename__)]


@dataclass(frozen=True)
class HandlerContext:
    """What a handler works with: the transaction, its service's settings (read once, at start)
    and the service's clock."""

    session: AsyncSession
    settings: Any
    clock: Clock


EventHandler = Callable[[HandlerContext, EventEnvelope, Any], Awaitable[None]]
# Called once per transaction with the events about to be handled in it, before their handlers:
# lets a service read what they all need in one query instead of one per event.
BatchPreparer = Callable[[HandlerContext, Sequence[tuple[EventEnvelope, Any]]], Awaitable[None]]


# Takes a transaction-scoped lock per key, in one order, so no two transactions wait on each other.
_LOCK_KEYS = text(
    "SELECT pg_advisory_xact_lock(k) "
    "FROM (SELECT unnest(CAST(:keys AS bigint[])) AS k ORDER BY k) AS keys"
)


async def _lock_keys(session: AsyncSession, keys: set[str]) -> None:
    """Hold the event keys (customers) until the transaction ends: one key's events are applied
    by one transaction at a time, whichever partition, consumer task or instance brings them,
    because a key's events on different topics touch the same rows. PostgreSQL only; SQLite
    has one connection, which serialises transactions already."""
    if session.bind is None or session.bind.dialect.name != "postgresql":
        return
    hashed = sorted({_key_hash(key) for key in keys})
    await (await session.connection()).execute(_LOCK_KEYS, {"keys": hashed})


def _key_hash(key: str) -> int:
    """A stable signed 64-bit number for a key, as advisory locks take (a collision only makes
    two keys wait for each other)."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)


class PoisonMessage(Exception):
    """A message no retry can fix (unreadable, or a payload that fails its schema)."""


class EventConsumer:
    """One service's consumer group: each event type to its handler, exactly once in effect."""

    def __init__(
        self,
        name: str,
        db: Database,
        bus: Bus,
        handlers: Mapping[type[EventPayload], EventHandler],
        *,
        settings: Any = None,
        clock: Clock | None = None,
        prepare: BatchPreparer | None = None,
        parallel_partitions: int = 1,
        max_attempts: int = 5,
        retry_backoff_seconds: float = 0.2,
    ) -> None:
        self.name, self.db, self.bus, self.prepare = name, db, bus, prepare
        self.settings, self.clock = settings, clock or Clock()
        self.parallel_partitions = parallel_partitions
        self.max_attempts, self.retry_backoff = max_attempts, retry_backoff_seconds
        self.handlers = {(m.event_type, m.event_version): h for m, h in handlers.items()}
        # Envelopes read with their payload's model in one pass, by event type (the message's
        # header), for types this consumer handles in one version.
        versions = Counter(m.event_type for m in handlers)
        self.typed = {
            m.event_type: typed_envelope(m) for m in handlers if versions[m.event_type] == 1
        }
        self.topics = sorted({topic_for(model.producer) for model in handlers})

    def subscribe(self) -> None:
        # Safe in parallel: every transaction first locks the keys of the events it applies.
        self.bus.subscribe_batches(
            self.name, self.topics, self.handle_batch, parallel=self.parallel_partitions
        )

    async def handle_batch(self, messages: Sequence[BusMessage]) -> None:
        """Apply consecutive messages in one transaction, which is what makes a busy consumer
        fast; if any of them fails, apply them one by one with retries and dead-lettering."""
        if len(messages) > 1:
            try:
                decoded = [self._decode(message) for message in messages]
                await self._apply_batch(decoded)
                return
            except Exception as exc:
                log.info("consumer %s applies a batch one by one: %s", self.name, exc)
        for message in messages:
            await self.handle(message)

    async def _apply_batch(
        self, decoded: list[tuple[EventEnvelope, EventPayload | None, EventHandler | None]]
    ) -> None:
        wanted = [(envelope, payload, h) for envelope, payload, h in decoded if h is not None]
        if not wanted:
            return
        async with self.db.transaction() as session:
            await _lock_keys(session, {envelope.customer_id for envelope, _, _ in wanted})
            done = set(
                await session.exec(
                    select(InboxRecord.event_id).where(
                        InboxRecord.consumer == self.name,
                        col(InboxRecord.event_id).in_([envelope.id for envelope, _, _ in wanted]),
                    )
                )
            )
            fresh = []
            for envelope, payload, handler in wanted:
                if envelope.id in done:
                    EVENTS_CONSUMED.labels(self.name, envelope.type, "duplicate").inc()
                else:
                    done.add(envelope.id)
                    fresh.append((envelope, payload, handler))
            if not fresh:
                return
            # One bulk insert for the batch's inbox rows.
            now = self.clock.now()
            inbox_rows = [
                {"consumer": self.name, "event_id": e.id, "event_type": e.type, "processed_at": now}
                for e, _, _ in fresh
            ]
            await session.run_sync(insert_rows, INBOX, inbox_rows)
            work = self._handler_context(session)
            if self.prepare is not None:
                await self.prepare(work, [(envelope, payload) for envelope, payload, _ in fresh])
            for envelope, payload, handler in fresh:
                with self._context_of(envelope):
                    await handler(work, envelope, payload)
        for event_type, count in Counter(envelope.type for envelope, _, _ in fresh).items():
            EVENTS_CONSUMED.labels(self.name, event_type, "applied").inc(count)
        self._observe_lag([envelope for envelope, _, _ in fresh])

    def _observe_lag(self, envelopes: Sequence[EventEnvelope]) -> None:
        """How long the events took from their producer to their effect here (the "not known
        yet" window of another service's documents)."""
        now = self.clock.now()
        for envelope in envelopes:
            DELIVERY_LAG.labels(self.name, envelope.type).observe(
                max(0.0, (now - envelope.occurred_at).total_seconds())
            )

    def _handler_context(self, session: AsyncSession) -> HandlerContext:
        return HandlerContext(session=session, settings=self.settings, clock=self.clock)

    @staticmethod
    def _context_of(envelope: EventEnvelope) -> AbstractContextManager[None]:
        # What the handler causes carries this event's correlation id and is caused by it.
        return context.work_context(
            correlation=envelope.correlation_id or str(envelope.id), causation=str(envelope.id)
        )

    async def handle(self, message: BusMessage) -> None:
        try:
            envelope, payload, handler = self._decode(message)
        except PoisonMessage as exc:
            await self._dead_letter(message, exc)
            return
        if handler is None:
            return  # an event this service does not need
        for attempt in range(1, self.max_attempts + 1):
            try:
                applied = await self._apply(envelope, payload, handler)
                outcome = "applied" if applied else "duplicate"
                EVENTS_CONSUMED.labels(self.name, envelope.type, outcome).inc()
                if applied:
                    self._observe_lag([envelope])
                return
            except Exception as exc:
                if attempt == self.max_attempts:
                    await self._dead_letter(message, exc)
                    return
                log.warning(
                    "consumer %s failed on %s (attempt %d/%d): %s",
                    self.name,
                    envelope.id,
                    attempt,
                    self.max_attempts,
                    exc,
                )
                await asyncio.sleep(self.retry_backoff * attempt)

    def _decode(
        self, message: BusMessage
    ) -> tuple[EventEnvelope, EventPayload | None, EventHandler | None]:
        typed = self.typed.get(message.header("event_type") or "")
        if typed is not None:
            try:
                envelope = typed.from_bytes(message.value)
                handler = self.handlers.get((envelope.type, envelope.version))
                if handler is not None:
                    return envelope, cast(EventPayload, envelope.payload), handler
            except ValidationError:
                pass  # another version, or not valid: the general reading below says which
        try:
            envelope = EventEnvelope.from_bytes(message.value)
        except ValidationError as exc:
            raise PoisonMessage(f"unreadable envelope: {exc}") from exc
        handler = self.handlers.get((envelope.type, envelope.version))
        if handler is None:
            return envelope, None, None
        entry = entry_for(envelope.type, envelope.version)
        assert entry is not None  # handlers are only registered for catalog entries
        try:
            return envelope, entry.model.model_validate(envelope.payload), handler
        except ValidationError as exc:
            raise PoisonMessage(
                f"{envelope.type} v{envelope.version} payload invalid: {exc}"
            ) from exc

    async def _apply(
        self, envelope: EventEnvelope, payload: EventPayload | None, handler: EventHandler
    ) -> bool:
        """Apply the event once; False if it had been applied before."""
        with self._context_of(envelope):
            try:
                async with self.db.transaction() as session:
                    await _lock_keys(session, {envelope.customer_id})
                    if await session.get(InboxRecord, (self.name, envelope.id)) is not None:
                        return False  # applied before: acknowledge and ignore
                    session.add(
                        InboxRecord(
                            consumer=self.name,
                            event_id=envelope.id,
                            event_type=envelope.type,
                            processed_at=self.clock.now(),
                        )
                    )
                    await session.flush()
                    work = self._handler_context(session)
                    if self.prepare is not None:
                        await self.prepare(work, [(envelope, payload)])
                    await handler(work, envelope, payload)
                return True
            except IntegrityError:
                # Another delivery of the same event won the race and committed first.
                async with self.db.transaction() as session:
                    if await session.get(InboxRecord, (self.name, envelope.id)) is not None:
                        return False
                raise

    async def _dead_letter(self, message: BusMessage, error: Exception) -> None:
        EVENTS_CONSUMED.labels(
            self.name, message.header("event_type") or "unknown", "dead_lettered"
        ).inc()
        DEAD_LETTERS.labels(self.name, message.topic).inc()
        log.error("consumer %s dead-letters a message from %s: %s", self.name, message.topic, error)
        if not self.bus.keeps_dead_letters:
            await self._keep_dead_letter(message, error)
        headers = message.headers + (
            ("dlq.error", str(error)[:4000].encode()),
            ("dlq.error_type", type(error).__name__.encode()),
            ("dlq.consumer", self.name.encode()),
            ("dlq.original_topic", message.topic.encode()),
        )
        await self.bus.publish(
            [
                BusMessage(
                    topic=dead_letter_topic(message.topic),
                    key=message.key,
                    value=message.value,
                    headers=headers,
                )
            ]
        )

    async def _keep_dead_letter(self, message: BusMessage, error: Exception) -> None:
        """Keep the message in this service's database, where a restart does not lose it and
        `python -m shared.dlq replay` finds it."""
        async with self.db.transaction() as session:
            session.add(
                DeadLetter(
                    consumer=self.name,
                    topic=message.topic,
                    key=message.key,
                    value=message.value,
                    headers=[
                        [name, value.decode(errors="replace")] for name, value in message.headers
                    ],
                    error=str(error)[:4000],
                    error_type=type(error).__name__,
                    dead_lettered_at=self.clock.now(),
                )
            )

    async def replay_requested(self) -> int:
        """Deliver again the kept dead letters whose replay was requested, oldest first, and
        mark them replayed; one that fails again is kept again as a new dead letter. Returns how
        many were replayed."""
        async with self.db.transaction() as session:
            letters = (
                await session.exec(
                    select(DeadLetter)
                    .where(
                        DeadLetter.consumer == self.name,
                        col(DeadLetter.replay_requested_at).is_not(None),
                        col(DeadLetter.replayed_at).is_(None),
                    )
                    .order_by(col(DeadLetter.seq))
                )
            ).all()
        for letter in letters:
            await self.handle(
                BusMessage(
                    topic=letter.topic,
                    key=letter.key,
                    value=letter.value,
                    headers=tuple((name, value.encode()) for name, value in letter.headers),
                )
            )
            async with self.db.transaction() as session:
                await session.exec(
                    update(DeadLetter)
                    .where(col(DeadLetter.seq) == letter.seq)
                    .values(replayed_at=self.clock.now())
                )
            EVENTS_REPLAYED.labels(self.name).inc()
        return len(letters)
