"""The event backbone on real PostgreSQL and Kafka: outbox, relay, Kafka, idempotent consumers."""

import asyncio
import time
import uuid
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from sqlmodel import func, select

from deploy.local_infra import KafkaBroker
from services.customers.models import Customer
from services.customers.publishing import outbox as customers_outbox
from services.customers.publishing import snapshot
from services.embedded import definitions
from shared.auth import Role
from shared.events.customers import CustomerUpdated
from shared.events.envelope import EventEnvelope
from shared.outbox import OutboxRelay
from shared.service import Service
from shared.tables import InboxRecord, OutboxMessage
from tests.conftest import AuthHeaders
from tests.integration.conftest import client, read_topic
from tests.support import eventually, new_customer

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]

# Where each service shows its own copy of a customer.
COPIES = {
    "invoicing": "/v1/billing-accounts/{id}",
    "payments": "/v1/payers/{id}",
    "collections": "/v1/collection-accounts/{id}",
    "credit": "/v1/credit-accounts/{id}",
}


def _definition(name: str) -> Any:
    return next(d for d in definitions() if d.name == name)


async def _register(customers: Service, auth: AuthHeaders, **overrides: Any) -> dict[str, Any]:
    async with client(customers) as http:
        response = await http.post(
            "/v1/customers", json=new_customer(**overrides), headers=auth(Role.AR_COORDINATOR)
        )
    assert response.status_code == 201, response.text
    return response.json()


async def _copy(service: Service, customer_id: str, auth: AuthHeaders) -> dict[str, Any] | None:
    async with client(service) as http:
        response = await http.get(
            COPIES[service.definition.name].format(id=customer_id), headers=auth(Role.AUDITOR)
        )
    return response.json() if response.status_code == 200 else None


async def _inbox_count(service: Service, event_id: uuid.UUID) -> int:
    async with service.db.transaction() as session:
        return (
            await session.exec(
                select(func.count())
                .select_from(InboxRecord)
                .where(InboxRecord.event_id == event_id)
            )
        ).one()


async def test_a_registered_customer_reaches_the_other_four_services(
    all_services: dict[str, Service], auth: AuthHeaders
) -> None:
    started = time.monotonic()
    customer = await _register(all_services["customers"], auth, legal_name="Reach Everywhere LLC")
    for name in COPIES:

        async def arrived(name: str = name) -> Any:
            return await _copy(all_services[name], customer["id"], auth)

        copy = await eventually(arrived)
        assert copy["legal_name"] == "Reach Everywhere LLC"
    print(f"customer visible in all four services after {time.monotonic() - started:.2f} s")


async def test_the_same_event_delivered_twice_has_one_effect(
    all_services: dict[str, Service], kafka_broker: KafkaBroker, auth: AuthHeaders
) -> None:
    customers = all_services["customers"]
    customer = await _register(customers, auth)

    def hold_event(kind: str) -> EventEnvelope:
        payload = (
            {"customer_id": customer["id"], "reasons": ["over limit"], "automatic": True}
            if kind == "placed"
            else {"customer_id": customer["id"], "reason": "paid down", "automatic": True}
        )
        return EventEnvelope(
            type=f"credit.hold_{kind}",
            version=1,
            producer="credit",
            customer_id=customer["id"],
            aggregate_id=customer["id"],
            payload=payload,
        )

    placed, released = hold_event("placed"), hold_event("released")
    producer = AIOKafkaProducer(bootstrap_servers=kafka_broker.bootstrap_servers, acks="all")
    await producer.start()
    try:
        # If the repeated "placed" were applied again, the customer would end up on hold.
        for envelope in (placed, released, placed):
            await producer.send_and_wait(
                "ar.credit.v1", envelope.to_bytes(), key=customer["id"].encode()
            )
    finally:
        await producer.stop()

    async def both_applied() -> bool:
        return await _inbox_count(customers, released.id) == 1

    await eventually(both_applied)
    await asyncio.sleep(0.5)  # give the duplicate time to arrive and be ignored
    async with client(customers) as http:
        now = (await http.get(f"/v1/customers/{customer['id']}", headers=auth(Role.AUDITOR))).json()
    assert now["credit_hold"] is False and now["revision"] == 3
    assert await _inbox_count(customers, placed.id) == 1


async def test_a_relay_that_dies_after_sending_sends_again_and_nothing_is_applied_twice(
    all_services: dict[str, Service],
    kafka_broker: KafkaBroker,
    auth: AuthHeaders,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    customers = all_services["customers"]
    crashes = {"left": 1}
    real_mark_sent = OutboxRelay.mark_sent

    async def crash_once(self: OutboxRelay, seqs: list[int]) -> None:
        if crashes["left"]:
            crashes["left"] -= 1
            raise ConnectionError("relay died between sending and marking")
        await real_mark_sent(self, seqs)

    monkeypatch.setattr(OutboxRelay, "mark_sent", crash_once)
    customer = await _register(customers, auth, legal_name="Sent Twice LLC")

    async def marked_sent() -> bool:
        async with customers.db.transaction() as session:
            row = (
                await session.exec(select(OutboxMessage).where(OutboxMessage.key == customer["id"]))
            ).one()
            return row.sent_at is not None

    await eventually(marked_sent)
    async with customers.db.transaction() as session:
        event_id = (
            await session.exec(
                select(OutboxMessage.event_id).where(OutboxMessage.key == customer["id"])
            )
        ).one()
    on_topic = [
        r
        for r in await read_topic(kafka_broker.bootstrap_servers, "ar.customers.v1")
        if EventEnvelope.from_bytes(r.value).id == event_id
    ]
    assert len(on_topic) == 2  # sent, "crashed", sent again
    for name in COPIES:
        service = all_services[name]

        async def applied(service: Service = service) -> bool:
            return await _inbox_count(service, event_id) == 1

        await eventually(applied)
        assert await _inbox_count(service, event_id) == 1


async def test_a_consumer_stopped_mid_stream_and_restarted_loses_nothing(
    start_distributed: Any, auth: AuthHeaders
) -> None:
    customers, _ = await start_distributed(_definition("customers"))
    credit, database = await start_distributed(_definition("credit"))
    first = [await _register(customers, auth, legal_name=f"Before {i}") for i in range(5)]

    async def first_arrived() -> bool:
        return all([await _copy(credit, c["id"], auth) for c in first])

    await eventually(first_arrived)
    await credit.stop()
    while_down = [await _register(customers, auth, legal_name=f"While down {i}") for i in range(10)]
    restarted, _ = await start_distributed(_definition("credit"), database)
    for customer in first + while_down:

        async def arrived(customer: dict[str, Any] = customer) -> Any:
            return await _copy(restarted, customer["id"], auth)

        assert (await eventually(arrived))["legal_name"] == customer["legal_name"]


async def test_a_poison_message_lands_in_the_dead_letter_topic_and_the_consumer_goes_on(
    all_services: dict[str, Service], kafka_broker: KafkaBroker, auth: AuthHeaders
) -> None:
    marker = uuid.uuid4().hex.encode()
    producer = AIOKafkaProducer(bootstrap_servers=kafka_broker.bootstrap_servers, acks="all")
    await producer.start()
    try:
        key = str(uuid.uuid4()).encode()
        await producer.send_and_wait("ar.customers.v1", b"not an event " + marker, key=key)
    finally:
        await producer.stop()
    customer = await _register(all_services["customers"], auth, legal_name="After Poison LLC")

    async def applied_after_poison() -> Any:
        return await _copy(all_services["invoicing"], customer["id"], auth)

    await eventually(applied_after_poison)

    async def dead_lettered() -> list[Any]:
        records = await read_topic(kafka_broker.bootstrap_servers, "ar.customers.v1.dlq")
        return [r for r in records if marker in r.value]

    dead = await eventually(dead_lettered)
    consumers = {dict(r.headers)["dlq.consumer"].decode() for r in dead}
    assert consumers == set(COPIES)  # every consuming service set it aside, once
    assert all(b"unreadable envelope" in dict(r.headers)["dlq.error"] for r in dead)


async def test_a_rolled_back_transaction_lets_no_event_out(
    all_services: dict[str, Service], kafka_broker: KafkaBroker, auth: AuthHeaders
) -> None:
    customers = all_services["customers"]
    created = await _register(customers, auth)
    with pytest.raises(RuntimeError):
        async with customers.db.transaction() as session:
            row = await session.get(Customer, uuid.UUID(created["id"]))
            assert row is not None
            row.legal_name = "Never Happened LLC"
            envelope = customers_outbox.add(
                session,
                CustomerUpdated(customer=snapshot(row), changed=["legal_name"]),
                customer_id=created["id"],
                aggregate_id=created["id"],
            )
            await session.flush()
            raise RuntimeError("the request failed after writing")
    # A later change of the same customer goes out, so the relay has run past that point.
    async with client(customers) as http:
        await http.patch(
            f"/v1/customers/{created['id']}",
            json={"dba": "Later"},
            headers=auth(Role.AR_COORDINATOR),
        )

    async def later_change_arrived() -> Any:
        copy = await _copy(all_services["credit"], created["id"], auth)
        return copy and copy["revision"] == 2

    await eventually(later_change_arrived)
    names = {
        EventEnvelope.from_bytes(r.value).payload.get("customer", {}).get("legal_name")
        for r in await read_topic(kafka_broker.bootstrap_servers, "ar.customers.v1")
        if r.key == created["id"].encode()
    }
    assert "Never Happened LLC" not in names
    assert envelope.id not in {
        EventEnvelope.from_bytes(r.value).id
        for r in await read_topic(kafka_broker.bootstrap_servers, "ar.customers.v1")
        if r.key == created["id"].encode()
    }


async def test_dead_letters_replayed_after_the_fix_are_applied_once(
    all_services: dict[str, Service], kafka_broker: KafkaBroker, auth: AuthHeaders
) -> None:
    from shared.dlq import replay
    from shared.events.customers import CustomerRegistered

    invoicing = all_services["invoicing"]
    key = (CustomerRegistered.event_type, CustomerRegistered.event_version)
    working_handler = invoicing.consumer.handlers[key]

    async def broken(*_: Any) -> None:
        raise RuntimeError("billing accounts table is being migrated")

    invoicing.consumer.handlers[key] = broken
    customer = await _register(all_services["customers"], auth, legal_name="Replayed LLC")

    async def dead_lettered() -> list[Any]:
        return await replay(
            kafka_broker.bootstrap_servers,
            "ar.customers.v1.dlq",
            consumer="invoicing",
            key=customer["id"],
            dry_run=True,
        )

    [letter] = await eventually(dead_lettered)
    assert "being migrated" in letter.headers["dlq.error"]
    assert await _copy(invoicing, customer["id"], auth) is None

    invoicing.consumer.handlers[key] = working_handler
    await replay(
        kafka_broker.bootstrap_servers,
        "ar.customers.v1.dlq",
        consumer="invoicing",
        key=customer["id"],
    )

    async def applied() -> Any:
        return await _copy(invoicing, customer["id"], auth)

    assert (await eventually(applied))["legal_name"] == "Replayed LLC"
    event_id = EventEnvelope.from_bytes(letter.value).id
    assert [await _inbox_count(all_services[name], event_id) for name in COPIES] == [1, 1, 1, 1]
