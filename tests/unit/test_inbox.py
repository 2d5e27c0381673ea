"""The idempotent consumer on the embedded mode's SQLite: one effect per event, bounded retries,
poison messages to the dead-letter topic."""

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlmodel import func, select

from shared.audit import record_change
from shared.bus import BusMessage, InProcessBus
from shared.db import Database
from shared.dlq import kept_dead_letters, request_replay
from shared.events.credit import CreditHoldPlaced
from shared.events.envelope import EventEnvelope
from shared.inbox import EventConsumer
from shared.tables import AuditEntry, MechanismTable

TOPIC = "ar.credit.v1"


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path}/inbox.db")
    async with database.engine.begin() as conn:
        await conn.run_sync(MechanismTable.metadata.create_all)
    yield database
    await database.dispose()


def _message(payload: dict[str, object] | None = None, **envelope: object) -> BusMessage:
    customer = str(uuid.uuid4())
    body = EventEnvelope(
        type="credit.hold_placed",
        version=1,
        producer="credit",
        customer_id=customer,
        aggregate_id=customer,
        payload=payload or {"customer_id": customer, "reasons": ["over limit"], "automatic": True},
        **envelope,  # type: ignore[arg-type]
    )
    return BusMessage(topic=TOPIC, key=customer, value=body.to_bytes())


async def _effects(db: Database) -> int:
    async with db.transaction() as session:
        return (await session.exec(select(func.count()).select_from(AuditEntry))).one()


def _consumer(db: Database, bus: InProcessBus, fail_times: int = 0) -> EventConsumer:
    failures = {"left": fail_times}

    async def place_hold(context, envelope, event: CreditHoldPlaced) -> None:  # type: ignore[no-untyped-def]
        record_change(
            context.session,
            actor=None,
            action="hold",
            entity_type="customer",
            entity_id=str(event.customer_id),
            changes={},
        )
        if failures["left"]:
            failures["left"] -= 1
            raise RuntimeError("database hiccup")
        if event.reasons == ["poison"]:
            raise RuntimeError("cannot apply this one")

    consumer = EventConsumer(
        "test", db, bus, {CreditHoldPlaced: place_hold}, max_attempts=3, retry_backoff_seconds=0
    )
    consumer.subscribe()
    return consumer


async def test_the_same_event_delivered_twice_has_one_effect(db: Database) -> None:
    bus = InProcessBus()
    _consumer(db, bus)
    message = _message()
    await bus.publish([message, message])
    assert await _effects(db) == 1
    assert not bus.retained[TOPIC + ".dlq"]


async def test_a_failing_handler_is_retried_and_its_partial_work_rolled_back(db: Database) -> None:
    bus = InProcessBus()
    _consumer(db, bus, fail_times=2)
    await bus.publish([_message()])
    assert await _effects(db) == 1


async def test_a_handler_that_keeps_failing_sends_the_message_to_the_dead_letter_topic(
    db: Database,
) -> None:
    bus = InProcessBus()
    _consumer(db, bus)
    customer = str(uuid.uuid4())
    poison = _message({"customer_id": customer, "reasons": ["poison"], "automatic": True})
    good = _message()
    await bus.publish([poison, good])
    assert await _effects(db) == 1  # the consumer moved on to the next message
    [dead] = bus.retained[TOPIC + ".dlq"]
    assert dead.value == poison.value
    assert dead.header("dlq.error") == "cannot apply this one"
    assert dead.header("dlq.original_topic") == TOPIC


async def test_unreadable_messages_and_invalid_payloads_are_dead_lettered_at_once(
    db: Database,
) -> None:
    bus = InProcessBus()
    _consumer(db, bus)
    garbage = BusMessage(topic=TOPIC, key="k", value=b"not json")
    invalid = _message(payload={"customer_id": "not-a-uuid"})
    await bus.publish([garbage, invalid])
    assert [m.value for m in bus.retained[TOPIC + ".dlq"]] == [garbage.value, invalid.value]
    assert await _effects(db) == 0


async def test_a_batch_is_applied_once_each_even_with_repeats_inside_it(db: Database) -> None:
    bus = InProcessBus()
    consumer = _consumer(db, bus)
    first, second = _message(), _message()
    await consumer.handle_batch([first, second, first])
    await consumer.handle_batch([second])
    assert await _effects(db) == 2


async def test_a_batch_with_a_poison_message_falls_back_to_one_by_one(db: Database) -> None:
    bus = InProcessBus()
    consumer = _consumer(db, bus)
    customer = str(uuid.uuid4())
    poison = _message({"customer_id": customer, "reasons": ["poison"], "automatic": True})
    garbage = BusMessage(topic=TOPIC, key="k", value=b"not json")
    await consumer.handle_batch([_message(), poison, garbage, _message()])
    assert await _effects(db) == 2  # the good ones, and nothing of the poison one
    assert [m.value for m in bus.retained[TOPIC + ".dlq"]] == [poison.value, garbage.value]


async def test_on_the_in_process_bus_a_dead_letter_is_kept_across_a_restart_and_replayed_once(
    db: Database, tmp_path: Path
) -> None:
    bus = InProcessBus()
    _consumer(db, bus, fail_times=3)
    message = _message()
    await bus.publish([message])
    assert await _effects(db) == 0
    await db.dispose()

    # A restart: a new process, the same database, the cause fixed.
    restarted = Database(f"sqlite+aiosqlite:///{tmp_path}/inbox.db")
    try:
        [kept] = await kept_dead_letters(restarted, "ar.credit.v1.dlq", consumer="test")
        assert (kept.value, kept.key, kept.error_type) == (
            message.value,
            message.key,
            "RuntimeError",
        )
        assert "database hiccup" in kept.error
        await request_replay(restarted, "ar.credit.v1.dlq", consumer="test")
        fixed = _consumer(restarted, InProcessBus())
        assert await fixed.replay_requested() == 1
        assert await _effects(restarted) == 1
        assert await kept_dead_letters(restarted, "ar.credit.v1.dlq") == []
        assert await fixed.replay_requested() == 0
        assert await _effects(restarted) == 1
    finally:
        await restarted.dispose()
