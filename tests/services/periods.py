"""Collections' close and reopen of a month, delivered to a service as collections' relay would."""

from datetime import date

from shared.bus import InProcessBus
from shared.events.catalog import EventPayload, dead_letter_topic, topic_for
from shared.events.collections import PeriodClosed, PeriodReopened
from shared.events.envelope import EventEnvelope
from shared.outbox import relayed_message

COLLECTIONS_TOPIC = topic_for("collections")
SUPERVISOR = "sam.supervisor"


async def _deliver(bus: InProcessBus, event: EventPayload, period: str) -> None:
    envelope = EventEnvelope.wrap(event, customer_id="period", aggregate_id=period)
    await bus.publish(
        [relayed_message(COLLECTIONS_TOPIC, "period", envelope.type, envelope.to_bytes())]
    )
    assert not bus.retained[dead_letter_topic(COLLECTIONS_TOPIC)], "a period event dead-lettered"


async def close_month(bus: InProcessBus, period: str, last_day: date) -> None:
    await _deliver(
        bus, PeriodClosed(period=period, closed_through=last_day, closed_by=SUPERVISOR), period
    )


async def reopen_month(bus: InProcessBus, period: str) -> None:
    await _deliver(
        bus,
        PeriodReopened(period=period, reopened_by=SUPERVISOR, reason="a rebill was missed"),
        period,
    )
