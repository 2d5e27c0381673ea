"""Chaos on real processes: kill -9 of the outbox relay (the invoicing process, mid-send), of a
consumer mid-batch (the collections process) and of the Kafka broker, at random moments while
invoices are drafted and issued; each is started again, and every effect the APIs acknowledged
(2xx) is then found exactly once: in invoicing's invoices and in collections' ledger.

`make chaos RUNS=100` runs it 100 times on one PostgreSQL and one broker; `make test` a few
times. Each run prints its seed; `CHAOS_SEED=<seed>` replays that run alone.
"""

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from deploy.local_infra import KafkaBroker, PostgresServer, _free_port
from shared.auth import Role, TokenAuthority
from shared.clock import Clock
from tests.support import SECRET, new_customer

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]

RUNS = int(os.environ.get("CHAOS_RUNS", "2"))
REPLAY = os.environ.get("CHAOS_SEED")
SEEDS = [int(REPLAY)] if REPLAY else [random.randrange(10**9) for _ in range(RUNS)]
READY_TIMEOUT = 120.0
# A consumer killed -9 leaves a member its group waits for until the session timeout (10 s),
# and a restarted broker has to elect its partitions again: the ledger catches up after both.
SETTLE_TIMEOUT = 120.0
REPO = Path(__file__).resolve().parents[2]


@dataclass
class ServiceProcess:
    """One service run as `python -m services.<name>`, as the distributed mode runs it."""

    name: str
    env: dict[str, str]
    port: int
    log: Path
    proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", f"services.{self.name}"],
                cwd=REPO,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()

    async def ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        async with httpx.AsyncClient(base_url=self.url, timeout=5) as http:
            while time.monotonic() < deadline:
                assert self.proc is not None and self.proc.poll() is None, self.tail()
                try:
                    if (await http.get("/readyz")).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.2)
        raise AssertionError(f"{self.name} not ready in {READY_TIMEOUT} s\n{self.tail()}")

    def tail(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-30:])


@dataclass
class Cluster:
    postgres: PostgresServer
    broker: KafkaBroker
    services: dict[str, ServiceProcess]
    databases: dict[str, str]


@pytest.fixture(scope="module")
def cluster(
    postgres_server: PostgresServer,
    kafka_broker: KafkaBroker,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Cluster]:
    folder = tmp_path_factory.mktemp("chaos")
    env = {
        **os.environ,
        "AR_BUS": "kafka",
        "AR_KAFKA_BOOTSTRAP_SERVERS": kafka_broker.bootstrap_servers,
        "AR_AUTH_SECRET": SECRET,
        "AR_VAR_DIR": str(folder),
        "AR_RELAY_INTERVAL_SECONDS": "0.02",
        "AR_CONSUMER_RETRY_BACKOFF_SECONDS": "0.01",
        "AR_LOG_LEVEL": "WARNING",
    }
    databases, services = {}, {}
    for name in ("customers", "invoicing", "collections"):
        databases[name] = f"chaos_{name}_{uuid.uuid4().hex[:8]}"
        postgres_server.create_database(databases[name])
        port = _free_port()
        service_env = env | {
            f"AR_{name.upper()}_DATABASE_URL": postgres_server.url(databases[name]),
            f"AR_{name.upper()}_PORT": str(port),
        }
        services[name] = ServiceProcess(name, service_env, port, folder / f"{name}.log")
        services[name].start()
    try:
        for service in services.values():
            asyncio.run(service.ready())
        yield Cluster(postgres_server, kafka_broker, services, databases)
    finally:
        for service in services.values():
            service.stop()


async def _acknowledged(
    http: httpx.AsyncClient, path: str, body: dict[str, Any] | None, headers: dict[str, str]
) -> dict[str, Any]:
    """POST until a 2xx, always with the same Idempotency-Key: a request cut off by a kill may
    or may not have been applied, and the key makes the retry return the first answer."""
    headers = headers | {"Idempotency-Key": str(uuid.uuid4())}
    deadline = time.monotonic() + READY_TIMEOUT
    while True:
        try:
            response = await http.post(path, json=body, headers=headers)
            if response.is_success:
                return response.json()
            assert response.status_code >= 500, f"{path}: {response.status_code} {response.text}"
        except httpx.TransportError:
            pass  # the process is down: it is being restarted
        assert time.monotonic() < deadline, f"{path} never acknowledged"
        await asyncio.sleep(0.1)


async def _get_until(http: httpx.AsyncClient, path: str, headers: dict[str, str]) -> Any:
    deadline = time.monotonic() + SETTLE_TIMEOUT
    while True:
        try:
            response = await http.get(path, headers=headers)
            if response.status_code == 200:
                return response.json()
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, f"{path} never answered 200"
        await asyncio.sleep(0.1)


def _draft(customer_id: str, amount: Decimal) -> dict[str, Any]:
    line = {
        "description": "Chaos fee",
        "quantity": "1",
        "unit": "ea",
        "unit_price": str(amount),
        "taxability": "exempt",
        "service_line": "fees",
    }
    return {"customer_id": customer_id, "invoice_date": str(Clock().today()), "lines": [line]}


async def _ledger(cluster: Cluster, customer_id: str) -> list[tuple[uuid.UUID, Decimal]]:
    conn = await asyncpg.connect(
        host=cluster.postgres.host,
        port=cluster.postgres.port,
        user=cluster.postgres.user,
        database=cluster.databases["collections"],
    )
    try:
        rows = await conn.fetch(
            "SELECT item_id, amount FROM ledger_entries WHERE customer_id = $1",
            uuid.UUID(customer_id),
        )
    finally:
        await conn.close()
    return sorted((row["item_id"], row["amount"]) for row in rows)


async def _kill_and_restart(
    cluster: Cluster, victim: str, delay: float, first_ack: asyncio.Event
) -> None:
    await first_ack.wait()
    await asyncio.sleep(delay)
    killed = time.monotonic()
    if victim == "broker":
        cluster.broker.kill()
        await asyncio.to_thread(cluster.broker.restart)
    else:
        service = cluster.services[victim]
        service.kill()
        service.start()
        await service.ready()
    print(f"  {victim} killed -9 and back in {time.monotonic() - killed:.1f} s")


@pytest.mark.parametrize("seed", SEEDS, ids=[f"CHAOS_SEED={s}" for s in SEEDS])
async def test_every_acknowledged_invoice_is_in_the_ledger_exactly_once_after_kill_9(
    cluster: Cluster, seed: int
) -> None:
    print(f"chaos run: CHAOS_SEED={seed}")
    started = time.monotonic()
    rng = random.Random(seed)
    tokens = TokenAuthority(SECRET)
    staff = {"Authorization": f"Bearer {tokens.mint('chaos', [Role.AR_COORDINATOR])}"}
    # The relay is the invoicing process, the consumer the collections one: each is killed at
    # its own random moment once invoices flow, the broker too, in a random order.
    victims = ["invoicing", "collections", "broker"]
    delays = {victim: rng.uniform(0.0, 2.0) for victim in victims}
    amounts = [Decimal(rng.randrange(100, 100_000)) / 100 for _ in range(rng.randint(4, 12))]
    print(f"  kills after the first acknowledgement: {delays}; {len(amounts)} invoices")

    customers = httpx.AsyncClient(base_url=cluster.services["customers"].url, timeout=10)
    invoicing = httpx.AsyncClient(base_url=cluster.services["invoicing"].url, timeout=10)
    async with customers, invoicing:
        customer = await _acknowledged(customers, "/v1/customers", new_customer(), staff)
        await _get_until(invoicing, f"/v1/billing-accounts/{customer['id']}", staff)

        first_ack = asyncio.Event()
        issued: dict[uuid.UUID, Decimal] = {}

        async def bill() -> None:
            for amount in amounts:
                draft = await _acknowledged(
                    invoicing, "/v1/invoices", _draft(customer["id"], amount), staff
                )
                invoice = await _acknowledged(
                    invoicing, f"/v1/invoices/{draft['id']}/issue", None, staff
                )
                issued[uuid.UUID(invoice["id"])] = Decimal(invoice["total"])
                first_ack.set()

        chaos = [
            _kill_and_restart(cluster, victim, delays[victim], first_ack) for victim in victims
        ]
        await asyncio.gather(bill(), *chaos)
        print(f"  acknowledged and restarted after {time.monotonic() - started:.1f} s")
        assert sorted(issued.values()) == sorted(amounts), f"CHAOS_SEED={seed}"

        model = sorted(issued.items())
        deadline = time.monotonic() + SETTLE_TIMEOUT
        while (ledger := await _ledger(cluster, customer["id"])) != model:
            # More than the model is a duplicate that no wait will remove.
            assert len(ledger) <= len(model), f"CHAOS_SEED={seed}: {ledger} != {model}"
            assert time.monotonic() < deadline, f"CHAOS_SEED={seed}: {ledger} != {model}"
            await asyncio.sleep(0.2)

        listed = await _get_until(
            invoicing, f"/v1/invoices?customer_id={customer['id']}&limit=500", staff
        )
        invoices = listed["items"] if isinstance(listed, dict) else listed
        assert sorted((uuid.UUID(i["id"]), Decimal(i["total"])) for i in invoices) == model, (
            f"CHAOS_SEED={seed}"
        )
        assert {i["status"] for i in invoices} == {"issued"}, f"CHAOS_SEED={seed}"
    print(f"  exactly once, run done in {time.monotonic() - started:.1f} s")
