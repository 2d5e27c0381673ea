"""Replay dead-lettered messages onto the topic they came from, once their cause is fixed.

    python -m shared.dlq replay ar.customers.v1.dlq [--consumer invoicing] [--dry-run]

Every consumer group of the original topic sees a replayed message again; those that applied it
before ignore it (their inbox has its id), so replaying is safe. The DLQ itself is left as it is.
"""

import argparse
import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from shared.settings import PlatformSettings

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
    servers = PlatformSettings().kafka_bootstrap_servers
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
