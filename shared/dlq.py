"""Replay dead-lettered messages onto the topic they came from, once their cause is fixed.

    python -m shared.dlq replay ar.customers.v1.dlq [--consumer invoicing] [--key <customer id>]

Distributed (AR_BUS=kafka), the dead letters are on the Kafka topic and are sent back to their
original topic: every consumer group of it sees them again; those that applied one before ignore
it (their inbox has its id), so replaying is safe. The DLQ itself is left as it is.

Embedded (the in-process bus), each consumer keeps its dead letters in its own database; a replay
marks them, and the running consumer delivers them again within seconds (at its next start if
the product is not running), then marks them replayed. `list` shows those not replayed yet.
"""

import argparse
import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from sqlalchemy import update
from sqlmodel import col, select

from shared.clock import Clock
from shared.db import Database
from shared.settings import PlatformSettings
from shared.tables import DeadLetter as KeptDeadLetter

ORIGINAL_TOPIC = "dlq.original_topic"
CONSUMER = "dlq.consumer"


@dataclass(frozen=True)
class DeadLetter:
    offset: int
    partition: int
    key: bytes | None
    value: bytes
    headers: dict[str, str]

    @property
    def original_headers(self) -> list[tuple[str, bytes]]:
        return [(k, v.encode()) for k, v in self.headers.items() if not k.startswith("dlq.")]


async def read_dead_letters(bootstrap_servers: str, topic: str) -> list[DeadLetter]:
    """Every message on a dead-letter topic so far."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap_servers,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        letters: list[DeadLetter] = []
        while not consumer.assignment():
            await asyncio.sleep(0.05)
        partitions = list(consumer.assignment())
        ends = await consumer.end_offsets(partitions)
        while any([await consumer.position(tp) < ends[tp] for tp in partitions]):
            for records in (await consumer.getmany(timeout_ms=500)).values():
                letters += [
                    DeadLetter(
                        r.offset,
                        r.partition,
                        r.key,
                        r.value,
                        {k: v.decode(errors="replace") for k, v in r.headers},
                    )
                    for r in records
                ]
        return letters
    finally:
        await consumer.stop()


async def replay(
    bootstrap_servers: str,
    dlq_topic: str,
    *,
    consumer: str | None = None,
    key: str | None = None,
    dry_run: bool = False,
) -> list[DeadLetter]:
    """Send the dead letters (of one consumer, or one customer's, if named) back to their
    original topics."""
    letters = [
        letter
        for letter in await read_dead_letters(bootstrap_servers, dlq_topic)
        if (consumer is None or letter.headers.get(CONSUMER) == consumer)
        and (key is None or letter.key == key.encode())
    ]
    if dry_run or not letters:
        return letters
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers, enable_idempotence=True, acks="all"
    )
    await producer.start()
    try:
        for letter in letters:
            await producer.send_and_wait(
                letter.headers[ORIGINAL_TOPIC],
                letter.value,
                key=letter.key,
                headers=letter.original_headers,
            )
    finally:
        await producer.stop()
    return letters


async def kept_dead_letters(
    db: Database, dlq_topic: str, *, consumer: str | None = None, key: str | None = None
) -> list[KeptDeadLetter]:
    """The dead letters a service keeps (embedded mode) from the topic of `dlq_topic`, not
    replayed yet, oldest first."""
    statement = select(KeptDeadLetter).where(
        KeptDeadLetter.topic == dlq_topic.removesuffix(".dlq"),
        col(KeptDeadLetter.replayed_at).is_(None),
    )
    if consumer is not None:
        statement = statement.where(KeptDeadLetter.consumer == consumer)
    if key is not None:
        statement = statement.where(KeptDeadLetter.key == key)
    async with db.transaction() as session:
        return list((await session.exec(statement.order_by(col(KeptDeadLetter.seq)))).all())


async def request_replay(
    db: Database,
    dlq_topic: str,
    *,
    consumer: str | None = None,
    key: str | None = None,
    dry_run: bool = False,
    clock: Clock | None = None,
) -> list[KeptDeadLetter]:
    """Mark the kept dead letters (of one consumer, or one customer's) for the running consumer
    to deliver again."""
    letters = await kept_dead_letters(db, dlq_topic, consumer=consumer, key=key)
    if dry_run or not letters:
        return letters
    async with db.transaction() as session:
        await session.exec(
            update(KeptDeadLetter)
            .where(col(KeptDeadLetter.seq).in_([letter.seq for letter in letters]))
            .values(replay_requested_at=(clock or Clock()).now())
        )
    return letters


async def _replay_embedded(
    topic: str, *, consumer: str | None, key: str | None, dry_run: bool
) -> list[str]:
    # The one place shared reaches for the services: which databases the product runs on.
    from services.embedded import definitions

    lines = []
    for definition in definitions():
        if consumer is not None and definition.name != consumer:
            continue
        db = Database(definition.settings_class().database_url)  # type: ignore[call-arg]
        try:
            for letter in await request_replay(
                db, topic, consumer=definition.name, key=key, dry_run=dry_run
            ):
                error = " ".join(letter.error.split())  # one line per letter
                lines.append(f"{letter.seq} {letter.consumer} {letter.error_type}: {error}")
        finally:
            await db.dispose()
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m shared.dlq",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("action", choices=["list", "replay"])
    parser.add_argument("topic", help="the dead-letter topic, e.g. ar.customers.v1.dlq")
    parser.add_argument("--consumer", help="only the messages this consumer set aside")
    parser.add_argument("--key", help="only this customer's messages (the message key)")
    args = parser.parse_args(argv)
    listing = args.action == "list"
    platform = PlatformSettings()
    if platform.bus == "inprocess":
        lines = asyncio.run(
            _replay_embedded(args.topic, consumer=args.consumer, key=args.key, dry_run=listing)
        )
        done = "kept" if listing else "queued for replay"
        print("\n".join([*lines, f"{len(lines)} message(s) {done}"]))
        return
    servers = platform.kafka_bootstrap_servers
    letters = asyncio.run(
        replay(
            servers, args.topic, consumer=args.consumer, key=args.key, dry_run=args.action == "list"
        )
    )
    for letter in letters:
        print(
            f"{letter.partition}:{letter.offset} {letter.headers.get(CONSUMER)} "
            f"{letter.headers.get('dlq.error_type')}: {letter.headers.get('dlq.error')}"
        )
    print(f"{len(letters)} message(s) {'listed' if args.action == 'list' else 'replayed'}")


if __name__ == "__main__":
    main()
