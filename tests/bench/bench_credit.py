"""POST /v1/authorizations on 50,000 customers on PostgreSQL, through a real uvicorn server
(`python -m services.credit` in its own process, on Kafka) and a load loop at a fixed arrival
rate, with /healthz measured under the same load in the same run.

Each customer has a limit, three invoices (one paid), an unapplied payment, an unbilled ticket
and two earlier orders (one billed, one open), so every answer reads a real position. Requests
are due at a fixed rate and sent by a bounded pool of workers, each on its own keep-alive
HTTP/1.1 connection; each latency counts from when its request was due, so falling behind
shows. Every step is bounded in count and in time. BENCH_CREDIT_INSTANCES=N runs N service
processes behind the same client, as a deployment adds instances.

The load generator shares the machine's cores with the server, PostgreSQL and Kafka, so it is a
minimal HTTP/1.1 client on asyncio streams rather than httpx, which spends more CPU per request
than the endpoint measured.
"""

import asyncio
import gc
import json
import os
import random
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx

from services.credit.models import (
    CreditAccount,
    CreditLine,
    OrderAuthorization,
    ReceivableItem,
    UnbilledTicket,
)
from services.credit.service import definition
from shared import migrations
from shared.auth import Role, TokenAuthority
from shared.clock import Clock, utc_now
from shared.db import Database
from tests.bench import BenchInfra, reference_ms
from tests.support import SECRET

CUSTOMERS = 50_000
RATES = (100, 250, 500)  # authorizations per second offered, one step each
DURATION = 10.0  # seconds of each step
WARM_UP = 3.0
HEALTH_RATE = 50  # /healthz probes per second during the same load
INSTANCES = int(os.environ.get("BENCH_CREDIT_INSTANCES", "1"))  # service processes
WORKERS = 12  # concurrent requests at most: each holds one keep-alive connection
GRACE = 15.0  # seconds allowed for the last answers after the schedule ends
TIMEOUT = 10.0  # seconds for one answer
TARGET_P99_MS = 20.0
# The server runs in its own process on the real clock: the figures are built around its today.
TODAY = Clock().today()
SEED_BATCH = 5_000


def _rows(i: int, customer_id: uuid.UUID) -> dict[str, list[dict[str, Any]]]:
    invoice_on = TODAY - timedelta(days=10 + i % 40)
    items = [
        {
            "id": uuid.uuid4(),
            "customer_id": customer_id,
            "kind": "invoice",
            "number": f"INV-{i}-{n}",
            "currency": "USD",
            "document_date": invoice_on,
            "due_date": invoice_on + timedelta(days=30),
            "amount": Decimal("1200.00"),
            "balance": Decimal("1200.00") if n else Decimal(0),
            "is_open": bool(n),
            "paid_on": None if n else invoice_on + timedelta(days=28),
            "voided": False,
            "reversed_on": None,
        }
        for n in range(3)
    ]
    items.append(
        {
            "id": uuid.uuid4(),
            "customer_id": customer_id,
            "kind": "payment",
            "number": None,
            "currency": "USD",
            "document_date": TODAY,
            "due_date": None,
            "amount": Decimal("-300.00"),
            "balance": Decimal("-300.00"),
            "is_open": True,
            "paid_on": None,
            "voided": False,
            "reversed_on": None,
        }
    )
    return {
        "accounts": [
            {
                "id": customer_id,
                "revision": 1,
                "account_number": f"B{i:07d}",
                "legal_name": f"Bench {i} LLC",
                "status": "active",
                "credit_hold": False,
                "currency": "USD",
                "business_district": "permian",
                "onboarding": [],
                "synced_at": utc_now(),
            }
        ],
        "lines": [
            {
                "customer_id": customer_id,
                "currency": "USD",
                "credit_limit": Decimal(50_000),
                "terms": {"kind": "net", "days": 30},
                "review_on": TODAY + timedelta(days=200),
                "approved_by": "bench",
                "reason": "bench",
                "changed_at": utc_now(),
            }
        ],
        "items": items,
        # An order billed last month and one approved and still open: the table the answer
        # reads and writes is not empty when the planner's statistics are taken, as in service.
        "orders": [
            {
                "id": uuid.uuid4(),
                "customer_id": customer_id,
                "amount": Decimal("400.00"),
                "order_ref": f"T-{i}-{n}",
                "approved": True,
                "reasons": [],
                "requested_by": "bench",
                "requested_at": utc_now() - timedelta(days=30 - 29 * n),
                "expires_on": TODAY + timedelta(days=n * 20),
                "billed": not n,
            }
            for n in range(2)
        ],
        "tickets": [
            {
                "ticket_id": uuid.uuid4(),
                "customer_id": customer_id,
                "ticket_number": f"T-{i}",
                "amount": Decimal("800.00"),
                "closed_at": utc_now(),
                "invoice_id": None,
            }
        ],
    }


async def _copy(db: Database, table: Any, rows: list[dict[str, Any]]) -> None:
    """Bulk-load rows with PostgreSQL's COPY (JSON columns travel as text)."""
    columns = list(rows[0])
    records = [
        tuple(json.dumps(v) if isinstance(v, (dict, list)) else v for v in row.values())
        for row in rows
    ]
    async with db.engine.connect() as conn:
        raw = await conn.get_raw_connection()
        await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
            table.__tablename__, records=records, columns=columns
        )
        await conn.commit()


async def _seed(url: str) -> list[uuid.UUID]:
    db = Database(url)
    await migrations.upgrade(db, definition.migrations, definition.version_table)
    tables = {
        "accounts": CreditAccount,
        "lines": CreditLine,
        "items": ReceivableItem,
        "tickets": UnbilledTicket,
        "orders": OrderAuthorization,
    }
    ids = [uuid.uuid4() for _ in range(CUSTOMERS)]
    for start in range(0, CUSTOMERS, SEED_BATCH):
        batch: dict[str, list[dict[str, Any]]] = {name: [] for name in tables}
        for i in range(start, min(start + SEED_BATCH, CUSTOMERS)):
            for name, rows in _rows(i, ids[i]).items():
                batch[name].extend(rows)
        for name, table in tables.items():
            await _copy(db, table, batch[name])
    # As a database that has run a while: statistics taken, the loaded pages vacuumed and
    # checkpointed, so autovacuum and a checkpoint of the load do not run during the measurement.
    async with db.engine.connect() as conn:
        autocommit = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.exec_driver_sql("VACUUM ANALYZE")
        await autocommit.exec_driver_sql("CHECKPOINT")
    await db.dispose()
    return ids


def _start_server(url: str, bootstrap: str, port: int, log_path: str) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "AR_BUS": "kafka",
        "AR_KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "AR_AUTH_SECRET": SECRET,
        "AR_CREDIT_DATABASE_URL": url,
        "AR_CREDIT_PORT": str(port),
        "AR_CREDIT_MIGRATE_ON_START": "false",
        "AR_LOG_LEVEL": "WARNING",
    }
    with open(log_path, "wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "services.credit"], env=env, stdout=log, stderr=subprocess.STDOUT
        )


async def _wait_healthy(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    async with httpx.AsyncClient(base_url=base) as client:
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise RuntimeError("the credit server exited during start-up")
            try:
                if (await client.get("/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError("the credit server did not become ready in 60 s")


class Connection:
    """One keep-alive HTTP/1.1 connection: a request with a JSON body or none, an answer with a
    Content-Length (as uvicorn gives). Reconnects after an error or a `Connection: close`."""

    def __init__(self, base: str, headers: dict[str, str]) -> None:
        url = httpx.URL(base)
        self.host, self.port = url.host, url.port or 80
        fixed = {"Host": f"{self.host}:{self.port}", **headers}
        self.head = "".join(f"{name}: {value}\r\n" for name, value in fixed.items())
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def request(self, method: str, path: str, body: bytes | None) -> tuple[int, bytes]:
        if self.streams is None:
            self.streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.streams
        body_head = "Content-Type: application/json\r\n" if body is not None else ""
        body_head += f"Content-Length: {len(body or b'')}\r\n\r\n"
        writer.write(f"{method} {path} HTTP/1.1\r\n{self.head}{body_head}".encode() + (body or b""))
        try:
            status_line, *header_lines = (await reader.readuntil(b"\r\n\r\n")).split(b"\r\n")
            fields = dict(line.lower().split(b": ", 1) for line in header_lines if line)
            payload = await reader.readexactly(int(fields[b"content-length"]))
        except BaseException:
            self.close()
            raise
        if fields.get(b"connection") == b"close":
            self.close()
        return int(status_line.split()[1]), payload

    def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None


# A request as the load makes it: the instance's base URL, method, path and JSON body (or None).
Request = tuple[str, str, str, bytes | None]


class Load:
    """A fixed arrival rate served by a bounded set of workers, each with a connection per
    instance. Request n is due at start + n / rate; its latency counts from when it was due, not
    from when a worker got to it, so a client or server falling behind shows in the figures (no
    coordinated omission)."""

    def __init__(self, headers: dict[str, str]) -> None:
        self.headers = headers
        self.latencies: list[float] = []
        self.errors = 0
        self.unsent = 0
        self.decided = {"approved": 0, "declined": 0}

    async def _worker(
        self, first: int, stride: int, rate: float, count: int, start: float, make: Any
    ) -> None:
        connections: dict[str, Connection] = {}
        deadline = start + count / rate + GRACE
        try:
            for n in range(first, count, stride):
                due = start + n / rate
                if time.perf_counter() > deadline:
                    self.unsent += len(range(n, count, stride))
                    return
                if (delay := due - time.perf_counter()) > 0:
                    await asyncio.sleep(delay)
                base, method, path, body = make()
                if base not in connections:
                    connections[base] = Connection(base, self.headers)
                try:
                    async with asyncio.timeout(TIMEOUT):
                        status, payload = await connections[base].request(method, path, body)
                except (OSError, TimeoutError, asyncio.IncompleteReadError, KeyError, ValueError):
                    self.errors += 1
                    continue
                if status >= 400:
                    self.errors += 1
                    continue
                self.latencies.append((time.perf_counter() - due) * 1000)
                if method == "POST":
                    self.decided["approved" if json.loads(payload)["approved"] else "declined"] += 1
        finally:
            for connection in connections.values():
                connection.close()

    async def run(self, rate: float, seconds: float, make: Any, workers: int) -> float:
        """Offer `rate` requests a second for `seconds`; give back the seconds it took."""
        count, start = int(rate * seconds), time.perf_counter()
        await asyncio.gather(
            *(self._worker(w, workers, rate, count, start, make) for w in range(workers))
        )
        return time.perf_counter() - start


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def _step(
    headers: dict[str, str],
    bases: list[str],
    ids: list[uuid.UUID],
    rate: int,
    duration: float = DURATION,
) -> str:
    """Authorizations at `rate` for `duration` seconds, with /healthz at HEALTH_RATE meanwhile,
    each request to one of the instances at random."""
    orders, probes = Load(headers), Load(headers)

    def authorization() -> Request:
        order = {
            "customer_id": str(random.choice(ids)),
            "amount": "250.00",
            "order_ref": f"SO-{random.randrange(10**9):09d}",  # the sales order, as sent
        }
        return random.choice(bases), "POST", "/v1/authorizations", json.dumps(order).encode()

    def health() -> Request:
        return random.choice(bases), "GET", "/healthz", None

    seconds, _ = await asyncio.gather(
        orders.run(rate, duration, authorization, WORKERS),
        probes.run(HEALTH_RATE, duration, health, 4),
    )
    if not orders.latencies or not probes.latencies:
        return f"{rate}/s offered: nothing answered in time"
    p50, p99 = _percentile(orders.latencies, 50), _percentile(orders.latencies, 99)
    h50, h99 = _percentile(probes.latencies, 50), _percentile(probes.latencies, 99)
    verdict = "meets" if p99 < TARGET_P99_MS else "misses"
    answered = len(orders.latencies)
    return (
        f"{rate}/s offered: {answered} answered in {seconds:.1f} s ({answered / seconds:.0f}/s; "
        f"{orders.decided['approved']} approved, {orders.decided['declined']} declined), "
        f"{orders.errors} errors, {orders.unsent} not sent by the deadline | authorizations "
        f"p50 {p50:.1f} ms, p99 {p99:.1f} ms ({verdict} p99 < {TARGET_P99_MS:.0f} ms) | "
        f"/healthz p50 {h50:.1f} ms, p99 {h99:.1f} ms | ratio p50 {p50 / h50:.1f}x, "
        f"p99 {p99 / h99:.1f}x"
    )


async def run(infra: BenchInfra) -> list[str]:
    reference_before = reference_ms()
    infra.postgres.create_database("bench_credit")
    url = infra.postgres.url("bench_credit")
    seed_started = time.perf_counter()
    ids = await _seed(url)
    seeded = time.perf_counter() - seed_started
    first_port = 18_000 + random.randrange(1000)
    bases = [f"http://127.0.0.1:{first_port + n}" for n in range(INSTANCES)]
    servers = [
        _start_server(
            url,
            infra.kafka.bootstrap_servers,
            first_port + n,
            str(infra.workdir / f"credit-{n}.log"),
        )
        for n in range(INSTANCES)
    ]
    lines = [
        f"customers: {CUSTOMERS:,} (seeded in {seeded:.1f} s: a limit, 3 invoices, a payment, "
        "an unbilled ticket and 2 earlier orders each)",
        f"{INSTANCES} uvicorn process(es) (python -m services.credit) on one PostgreSQL and "
        f"Kafka; each step offers a fixed rate of authorizations for {DURATION:.0f} s from "
        f"{WORKERS} workers (keep-alive HTTP/1.1 on asyncio streams, in the bench process on the "
        f"same machine), with {HEALTH_RATE} /healthz/s in the same run, after {WARM_UP:.0f} s of "
        f"authorizations at {max(RATES)}/s not counted; latency counts from when each request "
        "was due",
    ]
    try:
        for base, server in zip(bases, servers, strict=True):
            await _wait_healthy(base, server)
        token = TokenAuthority(SECRET).mint("sales-system", [Role.SALES])
        headers = {"Authorization": f"Bearer {token}"}
        # The load generator's own full collections must not walk what seeding left behind
        # in the middle of a step: its pauses would count as the server's latency.
        gc.collect()
        gc.freeze()
        # Not measured: each instance opens its pool's connections and prepares its statements
        # on them once, as a service that has been running a while has done.
        await _step(headers, bases, ids, max(RATES), WARM_UP)
        for rate in RATES:
            lines.append(await _step(headers, bases, ids, rate))
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)
    lines.append(
        f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end "
        f"(shared with other work); a reference loop took {reference_before:.0f} ms of CPU "
        f"before the run, {reference_ms():.0f} ms after"
    )
    return lines
