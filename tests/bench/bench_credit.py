"""POST /v1/authorizations on 50,000 customers on PostgreSQL, through a real uvicorn server
(`python -m services.credit` in its own process, on Kafka) and a load loop at a fixed arrival
rate, with /healthz measured under the same load in the same run.

The customers come from tests/bench/data.py: long-tailed sizes, mixed terms and lateness, each
with a limit of about two months' billing, its invoices (paid, part paid or open), an unapplied
payment for some, an unbilled ticket and two earlier orders (one billed, one open); customers with
an invoice past the hold threshold carry the automatic hold credit would have placed, and a few a
hold placed by hand. Orders are long-tailed too, so some exceed what is left of the limit: the
approve, decline-over-limit, decline-past-due and decline-on-hold paths all run. Requests
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
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx

from services.credit.models import (
    CreditAccount,
    CreditHold,
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
from tests.bench.data import Book, Customer
from tests.bench.report import REPEATS, Figure, peak_rss_mb, process_memory, scale, scaled
from tests.support import SECRET

CUSTOMERS = scaled(50_000)
INVOICES = CUSTOMERS * 8
RATES = (100, 250, 500)  # authorizations per second offered, one step each
DURATION = max(3.0, 10.0 * scale())  # seconds of each step
HOLD_DAYS_PAST_DUE = 60  # the service's default (AR_CREDIT_HOLD_DAYS_PAST_DUE)
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


def _rows(book: Book, customer: Customer, rng: random.Random) -> dict[str, list[dict[str, Any]]]:
    i, customer_id = customer.index, customer.id
    items = []
    oldest_open: date | None = None
    for invoice in book.invoices(customer):
        balance = invoice.balance
        if balance == 0 and invoice.invoiced < TODAY - timedelta(days=120):
            continue  # long paid: credit keeps what scoring and exposure read
        is_open = balance != 0
        if is_open and (oldest_open is None or invoice.due < oldest_open):
            oldest_open = invoice.due
        items.append(
            {
                "id": invoice.id,
                "customer_id": customer_id,
                "kind": "invoice",
                "number": invoice.number,
                "currency": "USD",
                "document_date": invoice.invoiced,
                "due_date": invoice.due,
                "amount": invoice.amount,
                "balance": balance,
                "is_open": is_open,
                "paid_on": None if is_open else invoice.payments[-1][0],
                "voided": False,
                "reversed_on": None,
            }
        )
    if rng.random() < 0.15:
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
    holds = []
    if oldest_open is not None and (TODAY - oldest_open).days > HOLD_DAYS_PAST_DUE:
        holds.append(
            ("credit", True, f"an open invoice is past due (hold after {HOLD_DAYS_PAST_DUE})")
        )
    elif rng.random() < 0.01:
        holds.append(("credit-manager", False, "bench: held by hand"))
    return {
        "accounts": [
            {
                "id": customer_id,
                "revision": 1,
                "account_number": customer.number,
                "legal_name": customer.name,
                "status": "active",
                "credit_hold": bool(holds),
                "currency": "USD",
                "business_district": customer.district,
                "onboarding": [],
                "synced_at": utc_now(),
            }
        ],
        "lines": [
            {
                "customer_id": customer_id,
                "currency": "USD",
                "credit_limit": customer.credit_limit,
                "terms": {"kind": customer.terms_kind, "days": customer.terms_days},
                "review_on": TODAY + timedelta(days=200),
                "approved_by": "bench",
                "reason": "bench",
                "changed_at": utc_now(),
            }
        ],
        "items": items,
        "holds": [
            {
                "id": uuid.uuid4(),
                "customer_id": customer_id,
                "automatic": automatic,
                "reasons": [reason],
                "placed_by": by,
                "placed_at": utc_now(),
                "released_at": None,
                "released_by": None,
                "release_reason": None,
            }
            for by, automatic, reason in holds
        ],
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
    if not rows:
        return
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


async def _seed(url: str) -> tuple[list[uuid.UUID], list[int], int]:
    """The book's customers written a batch at a time; their ids, sizes and held count."""
    db = Database(url)
    await migrations.upgrade(db, definition.migrations, definition.version_table)
    tables = {
        "accounts": CreditAccount,
        "lines": CreditLine,
        "items": ReceivableItem,
        "tickets": UnbilledTicket,
        "orders": OrderAuthorization,
        "holds": CreditHold,
    }
    book, rng = Book(CUSTOMERS, INVOICES, TODAY), random.Random(23)
    ids, sizes, held = [], [], 0
    batch: dict[str, list[dict[str, Any]]] = {name: [] for name in tables}
    for customer in book.customers():
        ids.append(customer.id)
        sizes.append(customer.invoices)
        for name, rows in _rows(book, customer, rng).items():
            batch[name].extend(rows)
        held += bool(batch["holds"] and batch["holds"][-1]["customer_id"] == customer.id)
        if len(ids) % SEED_BATCH == 0 or len(ids) == len(book):
            for name, table in tables.items():
                await _copy(db, table, batch[name])
            batch = {name: [] for name in tables}
    # As a database that has run a while: statistics taken, the loaded pages vacuumed and
    # checkpointed, so autovacuum and a checkpoint of the load do not run during the measurement.
    async with db.engine.connect() as conn:
        autocommit = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.exec_driver_sql("VACUUM ANALYZE")
        await autocommit.exec_driver_sql("CHECKPOINT")
    await db.dispose()
    return ids, sizes, held


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
        self.decided: Counter[str] = Counter()  # "approved", or each decline code

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
                    answer = json.loads(payload)
                    codes = [r["code"] for r in answer["reasons"]] or ["declined"]
                    self.decided.update(["approved"] if answer["approved"] else codes)
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
    sizes: list[int],
    rate: int,
    duration: float = DURATION,
) -> tuple[Load, Load, float]:
    """Authorizations at `rate` for `duration` seconds, with /healthz at HEALTH_RATE meanwhile,
    each request to one of the instances at random; larger customers order more often, and
    order sizes are long-tailed (median about $1,500, one in a hundred over $30,000)."""
    orders, probes = Load(headers), Load(headers)

    def authorization() -> Request:
        order = {
            "customer_id": str(random.choices(ids, sizes)[0]),
            "amount": f"{random.lognormvariate(7.3, 1.3) + 50:.2f}",
            "order_ref": f"SO-{random.randrange(10**9):09d}",  # the sales order, as sent
        }
        return random.choice(bases), "POST", "/v1/authorizations", json.dumps(order).encode()

    def health() -> Request:
        return random.choice(bases), "GET", "/healthz", None

    seconds, _ = await asyncio.gather(
        orders.run(rate, duration, authorization, WORKERS),
        probes.run(HEALTH_RATE, duration, health, 4),
    )
    return orders, probes, seconds


def _describe(rate: int, orders: Load, probes: Load, seconds: float) -> str:
    if not orders.latencies or not probes.latencies:
        return f"  {rate}/s offered: nothing answered in time"
    p50, p99 = _percentile(orders.latencies, 50), _percentile(orders.latencies, 99)
    h50, h99 = _percentile(probes.latencies, 50), _percentile(probes.latencies, 99)
    answered = len(orders.latencies)
    decided = ", ".join(f"{n} {what}" for what, n in orders.decided.most_common())
    return (
        f"  {rate}/s offered: {answered} answered in {seconds:.1f} s ({answered / seconds:.0f}/s; "
        f"{decided}), {orders.errors} errors, {orders.unsent} not sent by the deadline | "
        f"authorizations p50 {p50:.1f} ms, p99 {p99:.1f} ms | /healthz p50 {h50:.1f} ms, "
        f"p99 {h99:.1f} ms"
    )


async def run(infra: BenchInfra) -> list[Any]:
    reference_before = reference_ms()
    infra.postgres.create_database("bench_credit")
    url = infra.postgres.url("bench_credit")
    seed_started = time.perf_counter()
    ids, sizes, held = await _seed(url)
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
    size = f"{CUSTOMERS:,} customers, {held:,} on hold"
    lines: list[Any] = [
        f"customers: {CUSTOMERS:,} from tests/bench/data.py ({sum(sizes):,} invoices in their "
        f"history, the recent and open ones kept; {held:,} on hold), seeded in {seeded:.1f} s",
        f"{INSTANCES} uvicorn process(es) (python -m services.credit) on one PostgreSQL and "
        f"Kafka; each step offers a fixed rate of authorizations for {DURATION:.0f} s from "
        f"{WORKERS} workers (keep-alive HTTP/1.1 on asyncio streams, in the bench process on the "
        f"same machine), with {HEALTH_RATE} /healthz/s in the same run, {REPEATS} times per "
        f"rate, after {WARM_UP:.0f} s of authorizations at {max(RATES)}/s not counted; latency "
        "counts from when each request was due",
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
        await _step(headers, bases, ids, sizes, max(RATES), WARM_UP)
        for rate in RATES:
            p99s, health_p99s, loads, described = [], [], [], []
            for _ in range(REPEATS):
                orders, probes, seconds = await _step(headers, bases, ids, sizes, rate)
                loads.append(os.getloadavg()[0])
                described.append(_describe(rate, orders, probes, seconds))
                if orders.latencies and probes.latencies:
                    p99s.append(_percentile(orders.latencies, 99))
                    health_p99s.append(_percentile(probes.latencies, 99))
            if p99s:
                lines.append(
                    Figure(
                        f"authorization p99 at {rate}/s",
                        sorted(p99s)[len(p99s) // 2],
                        "ms",
                        size,
                        samples=tuple(p99s),
                        target=TARGET_P99_MS,
                        baseline=sorted(health_p99s)[len(health_p99s) // 2],
                        baseline_label="/healthz p99 under the same load",
                        baseline_samples=tuple(health_p99s),
                        load=sum(loads) / len(loads),
                    )
                )
            lines += described
        for n, server in enumerate(servers):
            process_memory(f"credit server {n} peak RSS", peak_rss_mb(server.pid))
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
