"""KafkaBus hands a consumer its messages in per-partition batches, several partitions at once
when asked, while it goes on fetching: each key's messages arrive in order, a batch whose
handler fails is delivered again (its partition is not left behind), and offsets are committed
only for what was handled, so a new consumer of the group starts after it."""

import asyncio
import uuid
from collections import defaultdict
from collections.abc import Sequence

import pytest
from prometheus_client import REGISTRY

from deploy.local_infra import KafkaBroker
from shared.bus import BusMessage
from shared.bus.kafka import KafkaBus

pytestmark = pytest.mark.kafka

KEYS = 12
PER_KEY = 25


async def test_batches_keep_key_order_and_a_failed_batch_comes_again(
    kafka_broker: KafkaBroker,
) -> None:
    topic = f"batches-{uuid.uuid4().hex[:8]}"
    group = f"{topic}-group"
    servers = kafka_broker.bootstrap_servers
    seen: dict[str, list[int]] = defaultdict(list)
    failures = 0
    handled = asyncio.Event()

    async def handler(messages: Sequence[BusMessage]) -> None:
        nonlocal failures
        await asyncio.sleep(0.01)  # let other partitions' batches overlap this one
        if failures < 2:
            failures += 1
            raise RuntimeError("database down")
        for message in messages:
            seen[message.key].append(int(message.value))
        if sum(map(len, seen.values())) >= KEYS * PER_KEY:
            handled.set()

    producer = KafkaBus(servers, client_id="batches-producer", partitions=3)
    await producer.ensure_topics({topic})
    await producer.start()
    try:
        await producer.publish(
            [
                BusMessage(topic=topic, key=f"key-{k}", value=str(n).encode())
                for n in range(PER_KEY)
                for k in range(KEYS)
            ]
        )
    finally:
        await producer.stop()

    consumer = KafkaBus(servers, client_id="batches-consumer", partitions=3)
    consumer.subscribe_batches(group, [topic], handler, parallel=3)
    await consumer.start()
    try:
        async with asyncio.timeout(60):
            await handled.wait()
        await asyncio.sleep(1)  # offsets are committed just after the last batch returns
    finally:
        await consumer.stop()
    assert failures == 2
    assert {key: numbers for key, numbers in seen.items()} == {
        f"key-{k}": list(range(PER_KEY)) for k in range(KEYS)
    }

    # Everything handled was committed: the group's next consumer has nothing to redo.
    again: list[BusMessage] = []

    async def collect(messages: Sequence[BusMessage]) -> None:
        again.extend(messages)

    later = KafkaBus(servers, client_id="batches-later", partitions=3)
    later.subscribe_batches(group, [topic], collect)
    await later.start()
    try:
        await asyncio.sleep(3)
    finally:
        await later.stop()
    assert again == []


async def test_a_consumer_group_reports_its_lag_per_partition(kafka_broker: KafkaBroker) -> None:
    topic = f"lag-{uuid.uuid4().hex[:8]}"
    group = f"{topic}-group"
    servers = kafka_broker.bootstrap_servers
    producer = KafkaBus(servers, client_id="lag-producer", partitions=3)
    await producer.ensure_topics({topic})
    await producer.start()
    try:
        await producer.publish(
            [BusMessage(topic=topic, key=f"key-{k}", value=b"1") for k in range(30)]
        )
    finally:
        await producer.stop()
    handled = 0
    done = asyncio.Event()

    async def handler(messages: Sequence[BusMessage]) -> None:
        nonlocal handled
        handled += len(messages)
        if handled >= 30:
            done.set()

    consumer = KafkaBus(servers, client_id="lag-consumer", partitions=3)
    consumer.subscribe_batches(group, [topic], handler)
    await consumer.start()
    try:
        async with asyncio.timeout(60):
            await done.wait()
    finally:
        await consumer.stop()
    lags = {
        partition: REGISTRY.get_sample_value(
            "ar_consumer_lag_messages",
            {"consumer": group, "topic": topic, "partition": partition},
        )
        for partition in ("0", "1", "2")
    }
    # Every partition that had messages reports, and all were handled.
    assert set(lags.values()) - {None} == {0.0}
    assert sum(value is not None for value in lags.values()) >= 2
