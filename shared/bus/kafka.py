"""The distributed mode's bus on aiokafka.

Producer: idempotent, acks=all, keyed by customer id so one customer's events share a partition.
Consumers: one group per service; a batch of messages is handled in order and its offsets are
committed only after every handler has committed its database transaction (handlers are
idempotent, so a crash between the two only causes a harmless redelivery).
"""

import asyncio
import logging
from collections.abc import Sequence

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError, KafkaError, TopicAlreadyExistsError

from shared.bus.base import BatchHandler, Bus, BusMessage
from shared.events.catalog import dead_letter_topic
from shared.observability import CONSUMER_LAG

log = logging.getLogger(__name__)

FETCH_TIMEOUT_MS = 200
# Messages per fetch, over all partitions, and bytes per partition: a busy consumer applies a
# partition's messages in one transaction, and the fewer transactions the less each event costs.
MAX_BATCH = 3000
PARTITION_FETCH_BYTES = 4 * 1024 * 1024
REDELIVERY_PAUSE_SECONDS = 1.0
START_RETRY_FIRST_SECONDS = 0.5
START_RETRY_MAX_SECONDS = 5.0


class KafkaBus(Bus):
    def __init__(self, bootstrap_servers: str, *, client_id: str, partitions: int = 3) -> None:
        self.bootstrap_servers = bootstrap_servers
        self.client_id = client_id
        self.partitions = partitions
        self._subscriptions: list[tuple[str, tuple[str, ...], BatchHandler, int]] = []
        self._producer: AIOKafkaProducer | None = None
        self._consumers: list[AIOKafkaConsumer] = []
        self._tasks: list[asyncio.Task[None]] = []

    def subscribe_batches(
        self, group: str, topics: Sequence[str], handler: BatchHandler, *, parallel: int = 1
    ) -> None:
        self._subscriptions.append((group, tuple(topics), handler, parallel))

    async def start(self) -> None:
        """Connect, waiting for the broker as long as it takes: a service started (or restarted)
        while Kafka is down comes up once Kafka does, instead of exiting."""
        pause = START_RETRY_FIRST_SECONDS
        while True:
            try:
                await self._start_clients()
                return
            except KafkaConnectionError:
                log.warning(
                    "Kafka at %s unreachable; retrying in %.1f s", self.bootstrap_servers, pause
                )
                await self.stop()
                await asyncio.sleep(pause)
                pause = min(pause * 2, START_RETRY_MAX_SECONDS)

    async def _start_clients(self) -> None:
        topics = {topic for _, subscribed, _, _ in self._subscriptions for topic in subscribed}
        await self.ensure_topics(topics | {dead_letter_topic(topic) for topic in topics})
        self._producer = AIOKafkaProducer(
            bootstrap_servers=self.bootstrap_servers,
            client_id=self.client_id,
            enable_idempotence=True,
            acks="all",
            linger_ms=5,
        )
        await self._producer.start()
        for group, subscribed, handler, parallel in self._subscriptions:
            consumer = AIOKafkaConsumer(
                *subscribed,
                bootstrap_servers=self.bootstrap_servers,
                client_id=self.client_id,
                group_id=group,
                enable_auto_commit=False,
                auto_offset_reset="earliest",
                max_partition_fetch_bytes=PARTITION_FETCH_BYTES,
            )
            self._consumers.append(consumer)  # before start(), so stop() closes a failed one
            await consumer.start()
            self._tasks.append(
                asyncio.create_task(self._consume(group, consumer, handler, parallel))
            )

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for consumer in self._consumers:
            await consumer.stop()
        if self._producer is not None:
            await self._producer.stop()
        self._tasks, self._consumers, self._producer = [], [], None

    async def ping(self) -> None:
        if self._producer is None:
            raise RuntimeError("Kafka producer is not started")
        await self._producer.client.fetch_all_metadata()

    async def ensure_topics(self, topics: set[str]) -> None:
        """Create topics (and nothing else) that do not exist yet, with our partition count."""
        if not topics:
            return
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap_servers)
        try:
            await admin.start()
            existing = set(await admin.list_topics())
            missing = [
                NewTopic(name=topic, num_partitions=self.partitions, replication_factor=1)
                for topic in sorted(topics - existing)
            ]
            if missing:
                try:
                    await admin.create_topics(missing)
                except TopicAlreadyExistsError:
                    pass  # another instance created it first
        finally:
            await admin.close()

    async def publish(self, messages: Sequence[BusMessage]) -> None:
        if self._producer is None:
            raise RuntimeError("Kafka producer is not started")
        pending = [
            await self._producer.send(
                message.topic,
                message.value,
                key=message.key.encode(),
                headers=list(message.headers),
            )
            for message in messages
        ]
        await asyncio.gather(*pending)

    async def _consume(
        self, group: str, consumer: AIOKafkaConsumer, handler: BatchHandler, parallel: int
    ) -> None:
        at_once = asyncio.Semaphore(parallel)

        async def deliver(
            partition: TopicPartition,
            records: list[ConsumerRecord],  # type: ignore[type-arg]
        ) -> int | None:
            """The offset to commit once the batch is handled, or None to deliver it again."""
            async with at_once:
                try:
                    await handler([_message(record) for record in records])
                    done = int(records[-1].offset) + 1
                    # The partition's end as of the last fetch, less what is now handled.
                    end = consumer.highwater(partition)
                    CONSUMER_LAG.labels(group, partition.topic, str(partition.partition)).set(
                        max(0, (end or done) - done)
                    )
                    return done
                except Exception:
                    # The handler could not commit (e.g. its database is down): deliver this
                    # partition's batch again shortly; the inbox drops what was applied.
                    log.exception("consumer handler failed; redelivering")
                    consumer.seek(partition, records[0].offset)
                    await asyncio.sleep(REDELIVERY_PAUSE_SECONDS)
                    return None

        # A partition whose batch is being handled is paused, so the next fetch brings only
        # the others' messages: a partition's batches are handled in order, one at a time,
        # while fetching and the other partitions go on. Its offset is committed when it is done.
        running: dict[TopicPartition, asyncio.Task[int | None]] = {}
        fetch: asyncio.Task[dict[TopicPartition, list[ConsumerRecord]]] | None = None  # type: ignore[type-arg]
        try:
            while True:
                if fetch is None:
                    fetch = asyncio.create_task(
                        consumer.getmany(timeout_ms=FETCH_TIMEOUT_MS, max_records=MAX_BATCH)
                    )
                await asyncio.wait({fetch, *running.values()}, return_when=asyncio.FIRST_COMPLETED)
                if fetch.done():
                    for partition, records in fetch.result().items():
                        consumer.pause(partition)
                        running[partition] = asyncio.create_task(deliver(partition, records))
                    fetch = None
                finished = {p: task.result() for p, task in running.items() if task.done()}
                for partition in finished:
                    del running[partition]
                    if partition in consumer.assignment():
                        consumer.resume(partition)
                await _commit(consumer, {p: o for p, o in finished.items() if o is not None})
        finally:
            for task in [*running.values(), *([fetch] if fetch else [])]:
                task.cancel()


async def _commit(consumer: AIOKafkaConsumer, offsets: dict[TopicPartition, int]) -> None:
    if not offsets:
        return
    try:
        await consumer.commit(offsets)
    except KafkaError:
        # A rebalance moved the partitions; their new owner redelivers from the last committed
        # offset and the inbox drops what was already applied.
        log.warning("offset commit failed; messages will be redelivered", exc_info=True)


def _message(record: ConsumerRecord) -> BusMessage:  # type: ignore[type-arg]
    return BusMessage(
        topic=record.topic,
        key=(record.key or b"").decode(),
        value=record.value or b"",
        headers=tuple(record.headers or ()),
    )
