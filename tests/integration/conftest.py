"""Services running distributed for real: each on its own PostgreSQL database and its own
Kafka client, as they are deployed."""

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from deploy.local_infra import KafkaBroker, PostgresServer
from services.embedded import definitions
from shared.auth import TokenAuthority
from shared.bus.kafka import KafkaBus
from shared.service import Service, ServiceDefinition
from shared.settings import PlatformSettings
from tests.support import SECRET, running_service

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]


@pytest.fixture
def kafka_platform(kafka_broker: KafkaBroker) -> PlatformSettings:
    return PlatformSettings(
        bus="kafka",
        kafka_bootstrap_servers=kafka_broker.bootstrap_servers,
        auth_secret=SECRET,
        relay_interval_seconds=0.02,
        consumer_retry_backoff_seconds=0.01,
    )


StartService = Callable[..., Any]


@pytest.fixture
async def start_distributed(
    postgres_server: PostgresServer,
    kafka_platform: PlatformSettings,
    tokens: TokenAuthority,
    tmp_path: Path,
) -> AsyncIterator[Callable[[ServiceDefinition, str | None], Any]]:
    """`await start(definition)` runs a service on a fresh PostgreSQL database and its own
    Kafka client; passing the same `database` again restarts it on the same data."""
    async with AsyncExitStack() as stack:

        async def start(
            definition: ServiceDefinition, database: str | None = None
        ) -> tuple[Service, str]:
            database = database or f"{definition.name}_{uuid.uuid4().hex[:10]}"
            postgres_server.create_database(database)
            bus = KafkaBus(
                kafka_platform.kafka_bootstrap_servers, client_id=definition.name, partitions=3
            )
            service = await stack.enter_async_context(
                running_service(
                    definition,
                    tmp_path,
                    kafka_platform,
                    tokens,
                    bus,
                    database_url=postgres_server.url(database),
                )
            )
            return service, database

        yield start


@pytest.fixture
async def all_services(start_distributed: Any) -> dict[str, Service]:
    return {d.name: (await start_distributed(d))[0] for d in definitions()}


@asynccontextmanager
async def client(service: Service) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=service.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


async def read_topic(bootstrap_servers: str, topic: str) -> list[Any]:
    """Every record on a topic so far, from the beginning of each partition."""
    # Without a group the consumer assigns itself every partition of the topic.
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap_servers,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        records: list[Any] = []
        while not consumer.assignment():
            for batch in (await consumer.getmany(timeout_ms=100)).values():
                records.extend(batch)
        partitions = list(consumer.assignment())
        ends = await consumer.end_offsets(partitions)

        async def behind() -> bool:
            return any([await consumer.position(tp) < ends[tp] for tp in partitions])

        while await behind():
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                records.extend(batch)
        return records
    finally:
        await consumer.stop()
