"""aiokafka 0.14 against our Kafka 4.x broker: aiokafka's own CI stops at broker 2.8,
so this checks the calls the services rely on: idempotent produce, group consume,
commit, and resuming from the committed offsets after a restart."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord

from deploy.local_infra import KafkaBroker

pytestmark = pytest.mark.kafka

MESSAGES = 30


def _consumer(broker: KafkaBroker, topic: str, group: str) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(
        topic,
        bootstrap_servers=broker.bootstrap_servers,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )


async def _read(consumer: AIOKafkaConsumer, count: int) -> list[ConsumerRecord]:
    """Read exactly `count` records (asks for no more than are still missing)."""
    records: list[ConsumerRecord] = []
    while len(records) < count:
        batch = await consumer.getmany(timeout_ms=500, max_records=count - len(records))
        for partition_records in batch.values():
            records.extend(partition_records)
    return records


async def test_consumer_resumes_after_committed_offset(kafka_broker: KafkaBroker) -> None:
    topic = f"smoke-{uuid.uuid4().hex[:8]}"
    group = f"{topic}-group"
    kafka_broker.create_topics([topic], partitions=3)

    producer = AIOKafkaProducer(
        bootstrap_servers=kafka_broker.bootstrap_servers, enable_idempotence=True, acks="all"
    )
    await producer.start()
    try:
        sent: dict[tuple[int, int], str] = {}  # (partition, offset) -> key
        for i in range(MESSAGES):
            meta = await producer.send_and_wait(topic, f"{i}".encode(), key=f"key-{i % 5}".encode())
            sent[(meta.partition, meta.offset)] = f"key-{i % 5}"
    finally:
        await producer.stop()
    # Same key, same partition: per-key ordering holds.
    partitions_of_key: dict[str, set[int]] = {}
    for (partition, _), key in sent.items():
        partitions_of_key.setdefault(key, set()).add(partition)
    assert all(len(p) == 1 for p in partitions_of_key.values()), partitions_of_key
    assert len({partition for partition, _ in sent}) > 1, "want records in several partitions"

    async with asyncio.timeout(60):
        first = _consumer(kafka_broker, topic, group)
        await first.start()
        try:
            first_batch = await _read(first, 10)
            await first.commit()  # the positions consumed so far, per partition
            committed = {tp.partition: await first.committed(tp) for tp in first.assignment()}
        finally:
            await first.stop()

        second = _consumer(kafka_broker, topic, group)
        await second.start()
        try:
            rest = await _read(second, MESSAGES - len(first_batch))
            assert await second.getmany(timeout_ms=500) == {}, "more records than were sent"
        finally:
            await second.stop()

    first_seen = {(r.partition, r.offset) for r in first_batch}
    rest_seen = {(r.partition, r.offset) for r in rest}
    assert not first_seen & rest_seen, "records delivered twice after the commit"
    assert first_seen | rest_seen == set(sent)
    for partition in range(3):
        read_before = [offset for p, offset in first_seen if p == partition]
        read_after = [offset for p, offset in rest_seen if p == partition]
        if read_before:
            assert committed[partition] == max(read_before) + 1
        if read_after:
            # Resumes right at the committed offset (the start, where nothing was read).
            assert min(read_after) == (max(read_before) + 1 if read_before else 0)
