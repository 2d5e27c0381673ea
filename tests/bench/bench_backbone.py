"""The backbone's throughput on PostgreSQL and Kafka: outbox rows relayed per second, and events
consumed per second by one service (the invoicing copy of customers), each from a standing start."""

import asyncio
import time
import uuid
from pathlib import Path

from sqlmodel import col, func, select

from services.customers.service import definition as customers
from services.invoicing.service import definition as invoicing
from shared.auth import TokenAuthority
from shared.bus.kafka import KafkaBus
from shared.db import Database
from shared.events.customers import CustomerRegistered, CustomerSnapshot
from shared.outbox import Outbox, OutboxRelay
from shared.settings import PlatformSettings
from shared.tables import InboxRecord, OutboxMessage
from tests.bench import BenchInfra
from tests.bench.report import scaled
from tests.support import SECRET, running_service

EVENTS = scaled(20_000)


def _registered(i: int) -> CustomerRegistered:
    return CustomerRegistered(
        customer=CustomerSnapshot.model_validate(
            {
                "id": str(uuid.uuid4()),
                "account_number": f"B{i:07d}",
                "revision": 1,
                "legal_name": f"Bench {i} LLC",
                "status": "active",
                "currency": "USD",
                "business_district": "permian",
                "payment_terms": {"kind": "net", "days": 30},
                "billing_profile": {},
            }
        )
    )


async def run(infra: BenchInfra) -> list[str]:
    servers = infra.kafka.bootstrap_servers
    platform = PlatformSettings(bus="kafka", kafka_bootstrap_servers=servers, auth_secret=SECRET)
    tokens = TokenAuthority(SECRET)
    lines = []

    # Relay: rows already in the outbox, sent to Kafka by a relay started afterwards.
    infra.postgres.create_database("bench_customers")
    db_url = infra.postgres.url("bench_customers")
    async with running_service(
        customers,
        infra.workdir,
        platform,
        tokens,
        KafkaBus(servers, client_id="bench-customers"),
        database_url=db_url,
    ) as service:
        await service.stop()  # only its migrated database is needed
    db = Database(db_url)
    outbox = Outbox("customers")
    async with db.transaction() as session:
        for i in range(EVENTS):
            event = _registered(i)
            outbox.add(
                session,
                event,
                customer_id=str(event.customer.id),
                aggregate_id=str(event.customer.id),
            )
    bus = KafkaBus(servers, client_id="bench-relay")
    await bus.start()
    relay = OutboxRelay(db, bus, name="customers", batch_size=1000)
    started = time.perf_counter()
    while await relay.relay_once():
        pass
    relay_seconds = time.perf_counter() - started
    await bus.stop()
    async with db.transaction() as session:
        unsent_rows = (
            select(func.count())
            .select_from(OutboxMessage)
            .where(col(OutboxMessage.sent_at).is_(None))
        )
        unsent = (await session.exec(unsent_rows)).one()
    await db.dispose()
    lines.append(
        f"relay: {EVENTS} outbox rows to Kafka in {relay_seconds:.2f} s = "
        f"{EVENTS / relay_seconds:,.0f} events/s (unsent left: {unsent})"
    )

    # Consumer: the events just relayed, consumed by invoicing from the start of the topic.
    infra.postgres.create_database("bench_invoicing")
    started = time.perf_counter()
    async with running_service(
        invoicing,
        Path(infra.workdir),
        platform,
        tokens,
        KafkaBus(servers, client_id="bench-invoicing"),
        database_url=infra.postgres.url("bench_invoicing"),
    ) as service:
        while True:
            async with service.db.transaction() as session:
                applied = (await session.exec(select(func.count()).select_from(InboxRecord))).one()
            if applied >= EVENTS:
                break
            if time.perf_counter() - started > 300:
                lines.append(f"consumer: only {applied} of {EVENTS} after 300 s")
                return lines
            await asyncio.sleep(0.05)
    consume_seconds = time.perf_counter() - started
    lines.append(
        f"consumer (invoicing, PostgreSQL, batches of a partition's fetch): {EVENTS} "
        f"events in {consume_seconds:.2f} s = {EVENTS / consume_seconds:,.0f} events/s, "
        "including start-up and group join"
    )
    return lines
