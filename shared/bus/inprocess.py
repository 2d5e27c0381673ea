"""The embedded mode's bus: delivery is a function call, inside the relay's publish.

`publish` returns only after every subscribed group has handled the message, so the relay marks
an outbox row sent only once its consumers have committed their effect. A crash before that
leaves the row unsent and it is delivered again, where the inbox makes the repeat harmless:
the same guarantees as Kafka with committed offsets, with nothing but Python.
"""

import asyncio
from collections import Counter, defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass, field

from shared.bus.base import BatchHandler, Bus, BusMessage
from shared.observability import CONSUMER_LAG

RETAINED_PER_TOPIC = 1000


@dataclass
class _Group:
    handler: BatchHandler
    # One message at a time per group keeps each customer's events in order.
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class InProcessBus(Bus):
    # `retained` is memory: each consumer keeps its dead letters in its database (shared.inbox).
    keeps_dead_letters = False

    def __init__(self) -> None:
        self._groups: dict[str, dict[str, _Group]] = defaultdict(dict)
        # The last messages of each topic, for inspection (e.g. a dead-letter topic).
        self.retained: dict[str, deque[BusMessage]] = defaultdict(
            lambda: deque(maxlen=RETAINED_PER_TOPIC)
        )

    def subscribe_batches(
        self, group: str, topics: Sequence[str], handler: BatchHandler, *, parallel: int = 1
    ) -> None:
        # In process, messages are delivered one at a time as they are published: nothing to
        # run in parallel.
        for topic in topics:
            if group in self._groups[topic]:
                raise ValueError(f"group {group!r} already subscribes to {topic!r}")
            self._groups[topic][group] = _Group(handler)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def ping(self) -> None:
        return None

    async def publish(self, messages: Sequence[BusMessage]) -> None:
        # Each group's lag: the messages of this batch (of its topics) it has still to handle.
        waiting: Counter[tuple[str, str]] = Counter(
            (name, message.topic)
            for message in messages
            for name in self._groups.get(message.topic, {})
        )
        for (name, topic), count in waiting.items():
            CONSUMER_LAG.labels(name, topic, "0").inc(count)
        try:
            for message in messages:
                self.retained[message.topic].append(message)
                for name, group in list(self._groups.get(message.topic, {}).items()):
                    async with group.lock:
                        await group.handler([message])
                    waiting[(name, message.topic)] -= 1
                    CONSUMER_LAG.labels(name, message.topic, "0").dec()
        finally:
            # A failed delivery: the relay sends the batch again, counted again then.
            for (name, topic), count in waiting.items():
                CONSUMER_LAG.labels(name, topic, "0").dec(count)
