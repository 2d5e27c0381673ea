"""Helpers for collections' integration tests on PostgreSQL and Kafka."""

from collections.abc import AsyncIterator, Sequence
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import OffsetAndMetadata
from sqlmodel import func, select

from deploy.local_infra import KafkaBroker
from services.collections.models import LoggedEvent
from services.collections.service import definition as collections
from shared.bus.kafka import KafkaBus
from shared.events.catalog import EventPayload, topic_for
from shared.service import Service
from tests.support import eventually


@pytest.fixture
async def producers(kafka_broker: KafkaBroker) -> AsyncIterator[KafkaBus]:
    """A Kafka client publishing as invoicing, payments and customers would."""
    bus = KafkaBus(kafka_broker.bootstrap_servers, client_id="test-producers")
    await bus.start()
    yield bus
    await bus.stop()


async def start_collections(
    start_distributed: Any, kafka_broker: KafkaBroker
) -> tuple[Service, str]:
    """Collections on a fresh database, its consumer group started past what earlier tests left
    unread: the group is the service's name, shared across tests, and these tests count every
    event the service logged."""
    topics = sorted({topic_for(model.producer) for model in collections.handlers})
    await skip_backlog(kafka_broker, collections.name, topics)
    return await start_distributed(collections)  # type: ignore[no-any-return]


async def consumed_all(service: Service, events: list[EventPayload]) -> None:
    """Wait until collections has logged (and so projected) every one of `events`."""

    async def logged() -> bool:
        async with service.db.transaction() as session:
            count = (await session.exec(select(func.count()).select_from(LoggedEvent))).one()
        return count == len(events)

    await eventually(logged, timeout=60)


async def skip_backlog(kafka_broker: KafkaBroker, group: str, topics: Sequence[str]) -> None:
    """Move `group` past what earlier tests left unread on `topics`: a test that counts whole
    tables (the GL batches, the trial balance) then sees only the events it sends itself."""
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_broker.bootstrap_servers)
    await admin.start()
    try:
        existing = await admin.list_topics()
        described = await admin.describe_topics([t for t in topics if t in existing])
    finally:
        await admin.close()
    partitions = [
        TopicPartition(topic["topic"], p["partition"])
        for topic in described
        for p in topic["partitions"]
    ]
    if not partitions:
        return
    consumer = AIOKafkaConsumer(
        bootstrap_servers=kafka_broker.bootstrap_servers, group_id=group, enable_auto_commit=False
    )
    await consumer.start()
    try:
        consumer.assign(partitions)
        await consumer.seek_to_end(*partitions)
        await consumer.commit(
            {tp: OffsetAndMetadata(await consumer.position(tp), "") for tp in partitions}
        )
    finally:
        await consumer.stop()
