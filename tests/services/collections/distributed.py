"""Helpers for collections' integration tests on PostgreSQL and Kafka."""

from collections.abc import AsyncIterator

import pytest
from sqlmodel import func, select

from deploy.local_infra import KafkaBroker
from services.collections.models import LoggedEvent
from shared.bus.kafka import KafkaBus
from shared.events.catalog import EventPayload
from shared.service import Service
from tests.support import eventually


@pytest.fixture
async def producers(kafka_broker: KafkaBroker) -> AsyncIterator[KafkaBus]:
    """A Kafka client publishing as invoicing, payments and customers would."""
    bus = KafkaBus(kafka_broker.bootstrap_servers, client_id="test-producers")
    await bus.start()
    yield bus
    await bus.stop()


async def consumed_all(service: Service, events: list[EventPayload]) -> None:
    """Wait until collections has logged (and so projected) every one of `events`."""

    async def logged() -> bool:
        async with service.db.transaction() as session:
            count = (await session.exec(select(func.count()).select_from(LoggedEvent))).one()
        return count == len(events)

    await eventually(logged, timeout=60)
