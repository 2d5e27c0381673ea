"""The figures a person on call reads: outbox backlog and the age of its oldest row, consumer lag,
how late events arrive, dead letters; and the example alert rules in deploy/ name only metrics
the product exports."""

import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import yaml
from prometheus_client import REGISTRY

from shared import observability  # noqa: F401 (registers the metrics)
from shared.bus import BusMessage, InProcessBus
from shared.db import Database
from shared.events.credit import CreditHoldPlaced
from shared.events.envelope import EventEnvelope
from shared.inbox import EventConsumer
from shared.outbox import Outbox, OutboxRelay
from shared.tables import MechanismTable

ALERTS = Path(__file__).parents[2] / "deploy" / "prometheus" / "alerts.yml"


def _value(name: str, **labels: str) -> float | None:
    return REGISTRY.get_sample_value(name, labels)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path}/ops.db")
    async with database.engine.begin() as conn:
        await conn.run_sync(MechanismTable.metadata.create_all)
    yield database
    await database.dispose()


async def test_the_outbox_backlog_and_its_age_are_measured_as_the_relay_works(
    db: Database,
) -> None:
    outbox, name = Outbox("credit"), f"svc-{uuid.uuid4().hex[:6]}"
    async with db.transaction() as session:
        for _ in range(3):
            customer = uuid.uuid4()
            outbox.add(
                session,
                CreditHoldPlaced(customer_id=customer, reasons=["over"], automatic=True),
                customer_id=str(customer),
                aggregate_id=str(customer),
            )
    relay = OutboxRelay(db, InProcessBus(), name=name, batch_size=2)
    assert await relay.relay_once() == 2
    assert _value("ar_outbox_unsent_rows", service=name) == 3
    assert (_value("ar_outbox_oldest_unsent_age_seconds", service=name) or 0) >= 0
    assert await relay.relay_once() == 1
    assert _value("ar_outbox_unsent_rows", service=name) == 1
    assert await relay.relay_once() == 0
    assert _value("ar_outbox_unsent_rows", service=name) == 0
    assert _value("ar_outbox_oldest_unsent_age_seconds", service=name) == 0


async def test_a_consumer_reports_its_lag_how_late_events_arrive_and_its_dead_letters(
    db: Database,
) -> None:
    bus, group = InProcessBus(), f"group-{uuid.uuid4().hex[:6]}"
    lag = {"consumer": group, "topic": "ar.credit.v1", "partition": "0"}

    async def place_hold(context, envelope, event: CreditHoldPlaced) -> None:  # type: ignore[no-untyped-def]
        assert _value(
            "ar_consumer_lag_messages", consumer=group, topic="ar.credit.v1", partition="0"
        )
        if event.reasons == ["poison"]:
            raise RuntimeError("cannot apply this one")

    EventConsumer(
        group, db, bus, {CreditHoldPlaced: place_hold}, max_attempts=1, retry_backoff_seconds=0
    ).subscribe()
    messages = []
    for reasons in (["over"], ["poison"]):
        customer = str(uuid.uuid4())
        envelope = EventEnvelope(
            type="credit.hold_placed",
            version=1,
            producer="credit",
            customer_id=customer,
            aggregate_id=customer,
            payload={"customer_id": customer, "reasons": reasons, "automatic": True},
        )
        messages.append(BusMessage(topic="ar.credit.v1", key=customer, value=envelope.to_bytes()))
    await bus.publish(messages)

    assert _value("ar_consumer_lag_messages", **lag) == 0
    arrived = {"consumer": group, "event_type": "credit.hold_placed"}
    assert _value("ar_event_delivery_lag_seconds_count", **arrived) == 1
    assert _value("ar_dead_letters_total", consumer=group, topic="ar.credit.v1") == 1


def _exported_names() -> set[str]:
    names: set[str] = set()
    for family in REGISTRY.collect():
        suffixes = {
            "counter": ["_total"],
            "histogram": ["_bucket", "_count", "_sum"],
        }.get(family.type, [""])
        names |= {family.name + suffix for suffix in suffixes}
    return names


def test_the_example_alert_rules_parse_and_name_only_metrics_the_product_exports() -> None:
    rules = [
        rule for group in yaml.safe_load(ALERTS.read_text())["groups"] for rule in group["rules"]
    ]
    assert len(rules) >= 6
    exported = _exported_names()
    named = set()
    for rule in rules:
        assert rule["alert"] and rule["expr"] and rule["annotations"]["summary"]
        named |= set(re.findall(r"\bar_[a-z_]+", rule["expr"]))
    assert named - exported == set()
    # What the on-call figures are about: each is alerted on.
    assert {
        "ar_outbox_unsent_rows",
        "ar_outbox_oldest_unsent_age_seconds",
        "ar_consumer_lag_messages",
        "ar_dead_letters_total",
        "ar_http_request_duration_seconds_bucket",
    } <= named
