"""A service started while Kafka is down waits for it: KafkaBus.start() keeps trying instead of
raising, which made the process exit ("Application startup failed") when it was restarted
during a broker outage (found by tests/chaos)."""

import asyncio

from deploy.local_infra import _free_port
from shared.bus.kafka import KafkaBus


async def test_start_waits_for_an_unreachable_broker_instead_of_failing() -> None:
    # Nothing listens on a free port: every connection is refused at once.
    bus = KafkaBus(f"127.0.0.1:{_free_port()}", client_id="waiting")
    bus.subscribe_batches("waiting-group", ["ar.customers.v1"], lambda messages: asyncio.sleep(0))
    starting = asyncio.create_task(bus.start())
    await asyncio.sleep(2)  # several refused bootstraps
    assert not starting.done()
    starting.cancel()
    await asyncio.gather(starting, return_exceptions=True)
    await bus.stop()
