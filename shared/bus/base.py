"""What the outbox relay and the consumers need from a bus, and nothing more."""

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class BusMessage:
    topic: str
    key: str
    value: bytes
    headers: tuple[tuple[str, bytes], ...] = ()

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key == name:
                return value.decode()
        return None


# A handler returns once the messages' effect is committed; raising means "not processed,
# deliver again".
MessageHandler = Callable[[BusMessage], Awaitable[None]]
BatchHandler = Callable[[Sequence[BusMessage]], Awaitable[None]]


class Bus(ABC):
    """Ordered per key, at least once; consumers make it exactly once in effect."""

    # Whether a message published to a dead-letter topic is kept by the bus itself (Kafka), or
    # must be kept by the consumer that gave up on it, in its own database (in process).
    keeps_dead_letters: bool = True

    def subscribe(self, group: str, topics: Sequence[str], handler: MessageHandler) -> None:
        """Register a consumer group before `start`, handling one message at a time."""

        async def one_by_one(messages: Sequence[BusMessage]) -> None:
            for message in messages:
                await handler(message)

        self.subscribe_batches(group, topics, one_by_one)

    @abstractmethod
    def subscribe_batches(
        self, group: str, topics: Sequence[str], handler: BatchHandler, *, parallel: int = 1
    ) -> None:
        """Register a consumer group before `start`; each group sees every message once, in
        batches of consecutive messages of one partition (one message each in process). With
        `parallel` > 1, batches of up to that many partitions are handled at the same time: only
        for a handler that keeps one key's messages from running concurrently itself."""

    @abstractmethod
    async def start(self) -> None: ...

    @abstractmethod
    async def stop(self) -> None: ...

    @abstractmethod
    async def publish(self, messages: Sequence[BusMessage]) -> None:
        """Return only when every message is durably accepted, in order."""

    @abstractmethod
    async def ping(self) -> None:
        """Raise if the bus cannot be reached."""
