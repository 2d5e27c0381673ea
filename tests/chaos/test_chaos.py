"""Chaos on real processes: kill -9 of the outbox relays (the invoicing and payments processes,
mid-send), of consumers mid-batch (the collections, credit and payments processes) and of the
Kafka broker, at random moments while invoices are drafted, issued and credited, and payments are
received, applied and reversed and invoices written off; each is started again, and every effect
the APIs acknowledged (2xx) is then found exactly once in every service: invoicing's invoices,
credit memos and open amounts, payments' payments, applications, write-offs and invoice balances,
collections' ledger entries and open balances, and credit's open items and exposure, each to the
cent against the model of tests/settlement_model.py built from the acknowledgements alone (a memo
that payments hears of after cash settled its invoice keeps on account what had no room).

`make chaos RUNS=100` runs it 100 times on one PostgreSQL and one broker (`PARALLEL=3`: three
such sessions at once, the runs split between them); `make test` twice. Each run prints its
seed; `CHAOS_SEED=<seed>` replays that run alone.
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
from tests.settlement_model import SUMMED_KINDS, ZERO, Settlements, summed
from tests.support import SECRET, new_customer

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]

RUNS = int(os.environ.get("CHAOS_RUNS", "2"))
REPLAY = os.environ.get("CHAOS_SEED")
SEEDS = [int(REPLAY)] if REPLAY else [random.randrange(10**9) for _ in range(RUNS)]
# A service restarted -9 on a host loaded 20 deep took up to 134 s to answer /readyz again.
READY_TIMEOUT = 300.0
# A consumer killed -9 leaves a member its group waits for until the session timeout (10 s),
# and a restarted broker has to elect its partitions again: the ledger catches up after both.
SETTLE_TIMEOUT = 300.0
HTTP_TIMEOUT = 30.0
# What a retried POST may meet: payments' invoice not known yet, or the same Idempotency-Key still
# being answered for the attempt the client gave up on (the loser of that race is rolled back).
RETRIED_PROBLEMS = ("urn:ar-platform:problem:not-known-yet", "urn:ar-platform:problem:conflict")
REPO = Path(__file__).resolve().parents[2]
SERVICES = ("customers", "invoicing", "payments", "collections", "credit")
# Killed -9 once each run: the two relays (invoicing, payments; payments also consumes invoicing's
# events), the two other consumers and the broker.
VICTIMS = ("invoicing", "payments", "collections", "credit", "broker")


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

    async def restart(self, victim: str) -> None:
        """kill -9 of the broker or a service, then start it again and wait until it is back."""
        killed = time.monotonic()
        if victim == "broker":
            self.broker.kill()
            await asyncio.to_thread(self.broker.restart)
        else:
            service = self.services[victim]
            service.kill()
            service.start()
            await service.ready()
        print(f"  {victim} killed -9 and back in {time.monotonic() - killed:.1f} s")

    async def heal(self) -> None:
        """Whatever an earlier failed run left down is started again, so each run begins on the
        whole cluster and one failure does not fail the runs after it."""
        if not self.broker.running:
            await asyncio.to_thread(self.broker.restart)
        for service in self.services.values():
            if service.proc is None or service.proc.poll() is not None:
                service.start()
        await asyncio.gather(*(service.ready() for service in self.services.values()))


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
    for name in SERVICES:
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
) -> Any:
    """POST until a 2xx, always with the same Idempotency-Key: a request cut off by a kill may
    or may not have been applied, and the key makes the retry return the first answer. A 5xx
    and the 409s of `RETRIED_PROBLEMS` are retried; any other answer fails the run."""
    headers = headers | {"Idempotency-Key": str(uuid.uuid4())}
    deadline = time.monotonic() + READY_TIMEOUT
    while True:
        try:
            response = await http.post(path, json=body, headers=headers)
            if response.is_success:
                return response.json()
            retried = response.status_code == 409 and (
                response.json().get("type") in RETRIED_PROBLEMS
            )
            assert response.status_code >= 500 or retried, (
                f"{path}: {response.status_code} {response.text}"
            )
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


async def _rows(cluster: Cluster, service: str, query: str, customer_id: str) -> list[Any]:
    conn = await asyncpg.connect(
        host=cluster.postgres.host,
        port=cluster.postgres.port,
        user=cluster.postgres.user,
        database=cluster.databases[service],
    )
    try:
        return list(await conn.fetch(query, uuid.UUID(customer_id)))
    finally:
        await conn.close()


async def _held(cluster: Cluster, customer_id: str) -> dict[str, Any]:
    """Each service's copy of the customer's documents, read when it has caught up, and how
    payments split each invoice's on-account credit between its memos."""
    reader = {"Authorization": f"Bearer {TokenAuthority(SECRET).mint('chaos', [Role.AUDITOR])}"}
    services = cluster.services
    async with (
        httpx.AsyncClient(base_url=services["invoicing"].url, timeout=HTTP_TIMEOUT) as invoicing,
        httpx.AsyncClient(base_url=services["payments"].url, timeout=HTTP_TIMEOUT) as payments,
        httpx.AsyncClient(base_url=services["credit"].url, timeout=HTTP_TIMEOUT) as credit,
    ):
        listed = await _get_until(
            invoicing, f"/v1/invoices?customer_id={customer_id}&limit=500", reader
        )
        memos = await _get_until(
            invoicing, f"/v1/credit-memos?customer_id={customer_id}&limit=500", reader
        )
        received = await _get_until(
            payments, f"/v1/payments?customer_id={customer_id}&limit=500", reader
        )
        exposure = await _get_until(credit, f"/v1/exposure/{customer_id}", reader)
        open_in_payments, split = {}, {}
        for invoice in listed["items"]:
            answer = await payments.get(f"/v1/invoice-balances/{invoice['id']}", headers=reader)
            if answer.status_code == 200:
                open_in_payments[uuid.UUID(invoice["id"])] = Decimal(answer.json()["balance"])
                for memo in answer.json()["credit_memos"]:
                    split[uuid.UUID(memo["id"])] = Decimal(memo["on_account"])
    ledger = await _rows(
        cluster,
        "collections",
        "SELECT item_id, kind, amount, reference FROM ledger_entries WHERE customer_id = $1",
        customer_id,
    )
    write_offs = await _rows(
        cluster,
        "payments",
        "SELECT id, invoice_id, amount FROM write_offs WHERE customer_id = $1",
        customer_id,
    )
    collections_items = await _rows(
        cluster,
        "collections",
        "SELECT id, balance FROM ledger_items WHERE customer_id = $1",
        customer_id,
    )
    credit_items = await _rows(
        cluster,
        "credit",
        "SELECT id, balance FROM receivable_items WHERE customer_id = $1",
        customer_id,
    )
    return {
        "split": split,
        "invoicing": sorted(
            (
                uuid.UUID(i["id"]),
                Decimal(i["total"]),
                i["status"],
                Decimal(i["open_amount"]),
                Decimal(i["credit_on_account"]),
            )
            for i in listed["items"]
        ),
        "invoicing's memos": sorted(
            (uuid.UUID(m["id"]), uuid.UUID(m["invoice_id"]), Decimal(m["total"]))
            for m in memos["items"]
        ),
        "payments": sorted(
            (uuid.UUID(p["id"]), Decimal(p["amount"]), Decimal(p["unapplied"]), p["status"])
            for p in received["items"]
        ),
        "applications": sorted(
            (uuid.UUID(a["id"]), uuid.UUID(a["invoice_id"]), Decimal(a["amount"]), a["status"])
            for p in received["items"]
            for a in p["applications"]
        ),
        "payments' invoice balances": sorted(open_in_payments.items()),
        "payments' write-offs": sorted((r["id"], r["invoice_id"], r["amount"]) for r in write_offs),
        "collections' ledger": summed(
            [(r["item_id"], r["kind"], r["amount"], r["reference"]) for r in ledger]
        ),
        "collections' balances": sorted((r["id"], r["balance"]) for r in collections_items),
        "credit's balances": sorted((r["id"], r["balance"]) for r in credit_items),
        "credit's open AR": Decimal(exposure["open_ar"]),
    }


def _expected(model: Settlements, split: dict[uuid.UUID, Decimal]) -> dict[str, Any]:
    def status(invoice_id: uuid.UUID) -> str:
        credited_in_full = model.credited(invoice_id) >= model.invoices[invoice_id]
        return "credited" if credited_in_full else "issued"

    return {
        "split": split,
        "invoicing": sorted(
            (i, total, status(i), model.open_on(i), model.on_account(i))
            for i, total in model.invoices.items()
        ),
        "invoicing's memos": sorted((m, c.invoice_id, c.amount) for m, c in model.memos.items()),
        "payments": sorted(
            (p, amount, model.unapplied(p), "reversed" if p in model.reversed else "received")
            for p, amount in model.payments.items()
        ),
        "applications": sorted(
            (a_id, a.invoice_id, a.amount, "active" if model.active(a) else "unapplied")
            for a_id, a in model.applications.items()
        ),
        "payments' invoice balances": sorted((i, model.open_on(i)) for i in model.invoices),
        "payments' write-offs": sorted(
            (w, c.invoice_id, c.amount) for w, c in model.write_offs.items()
        ),
        "collections' ledger": model.ledger(split),
        "collections' balances": model.balances(split),
        "credit's balances": model.balances(split),
        "credit's open AR": model.position(),
    }


def _reference(rng: random.Random) -> str:
    # Letters only: no invoice number can be read into it, and no two payments share it, so
    # neither cash application by reference nor duplicate detection takes part.
    return "CHAOS-" + "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(10))


def _paid(rng: random.Random, total: Decimal) -> Decimal:
    """The whole invoice (cash application may apply it alone), part of it, or more."""
    roll = rng.random()
    if roll < 0.35:
        return total
    if roll < 0.75:
        return max(
            Decimal("0.01"), (total * Decimal(rng.uniform(0.1, 0.9))).quantize(Decimal("0.01"))
        )
    return total + Decimal(rng.randrange(1, 50_000)) / 100


ALL = Decimal(1)


def _share(rng: random.Random) -> Decimal:
    """How much of what is open a memo or a write-off takes: all of it, or a part."""
    return ALL if rng.random() < 0.4 else Decimal(rng.uniform(0.05, 0.95))


def _part(share: Decimal, of: Decimal) -> Decimal:
    return max(Decimal("0.01"), (of * share).quantize(Decimal("0.01")))


@dataclass(frozen=True)
class Plan:
    """What a run does to one invoice, drawn from its seed before it starts: a share of it
    credited as soon as it is issued, a payment, that payment reversed, a share of what is then
    left open written off (`ALL`: the whole invoice, or all that is open)."""

    amount: Decimal
    memo: Decimal | None
    paid: bool
    reversed: bool
    write_off: Decimal | None


def _plans(rng: random.Random) -> list[Plan]:
    return [
        Plan(
            amount=Decimal(rng.randrange(100, 100_000)) / 100,
            memo=_share(rng) if rng.random() < 0.35 else None,
            paid=(paid := rng.random() < 0.75),
            reversed=paid and rng.random() < 0.25,
            write_off=_share(rng) if rng.random() < 0.3 else None,
        )
        for _ in range(rng.randint(4, 12))
    ]


# A run under load takes a minute or two, each wait up to 300 s; the first starts the services.
@pytest.mark.timeout(1200)
@pytest.mark.parametrize("seed", SEEDS, ids=[f"CHAOS_SEED={s}" for s in SEEDS])
async def test_every_acknowledged_document_is_in_every_service_exactly_once_after_kill_9(
    cluster: Cluster, seed: int
) -> None:
    print(f"chaos run: CHAOS_SEED={seed}")
    try:
        await _run(cluster, seed)
    except BaseException as failure:
        # Said at once, not only in the session's summary: a long session stopped early keeps it.
        print(f"  FAILED CHAOS_SEED={seed}: {failure!r}"[:4000])
        raise


async def _run(cluster: Cluster, seed: int) -> None:
    await cluster.heal()
    started = time.monotonic()
    rng = random.Random(seed)
    tokens = TokenAuthority(SECRET)
    staff = {"Authorization": f"Bearer {tokens.mint('chaos', [Role.AR_COORDINATOR])}"}
    # Memos, write-offs and reversals of any size: a supervisor's authority has no limit.
    supervisor = {"Authorization": f"Bearer {tokens.mint('sam', [Role.AR_SUPERVISOR])}"}
    # Each victim is killed at its own random moment once documents flow, in a random order.
    delays = {victim: rng.uniform(0.0, 3.0) for victim in VICTIMS}
    plans = _plans(rng)
    print(
        f"  kills after the first acknowledgement: {delays}; {len(plans)} invoices, "
        f"{sum(p.memo is not None for p in plans)} credited, {sum(p.paid for p in plans)} paid, "
        f"{sum(p.reversed for p in plans)} reversed, "
        f"{sum(p.write_off is not None for p in plans)} written off"
    )

    customers = httpx.AsyncClient(base_url=cluster.services["customers"].url, timeout=HTTP_TIMEOUT)
    invoicing = httpx.AsyncClient(base_url=cluster.services["invoicing"].url, timeout=HTTP_TIMEOUT)
    payments = httpx.AsyncClient(base_url=cluster.services["payments"].url, timeout=HTTP_TIMEOUT)
    async with customers, invoicing, payments:
        customer = await _acknowledged(customers, "/v1/customers", new_customer(), staff)
        customer_id = customer["id"]
        await _get_until(invoicing, f"/v1/billing-accounts/{customer_id}", staff)
        await _get_until(payments, f"/v1/payers/{customer_id}", staff)

        first_ack = asyncio.Event()
        model = Settlements()
        to_settle: asyncio.Queue[tuple[uuid.UUID, Plan] | None] = asyncio.Queue()

        async def bill() -> None:
            """Each invoice drafted and issued and, as the plan says, credited at once: nothing
            has settled it yet, so invoicing's check that the memo fits cannot refuse it."""
            for plan in plans:
                draft = await _acknowledged(
                    invoicing, "/v1/invoices", _draft(customer_id, plan.amount), staff
                )
                invoice = await _acknowledged(
                    invoicing, f"/v1/invoices/{draft['id']}/issue", None, staff
                )
                invoice_id = model.invoice_issued(invoice)
                first_ack.set()
                if plan.memo is not None:
                    memo: dict[str, Any] = {
                        "invoice_id": str(invoice_id),
                        "reason_code": "goodwill",
                    }
                    if plan.memo != ALL:
                        memo["lines"] = [{"line": 1, "amount": str(_part(plan.memo, plan.amount))}]
                    model.memo_issued(
                        await _acknowledged(invoicing, "/v1/credit-memos", memo, supervisor)
                    )
                to_settle.put_nowait((invoice_id, plan))
            to_settle.put_nowait(None)

        async def settle() -> None:
            """As each invoice's plan says: a payment recorded (cash application may apply it),
            what is left of it applied by hand to that invoice and, sometimes, an earlier one;
            the payment reversed; a share of what is then open written off. Each amount is what
            the model has open, never more than payments has: a memo payments has not heard of
            yet leaves it more, and then keeps on account what the invoice has no room for."""
            while (next_one := await to_settle.get()) is not None:
                invoice_id, plan = next_one
                if plan.paid:
                    await pay(invoice_id, plan)
                left = model.open_on(invoice_id)
                if plan.write_off is not None and left > 0:
                    body: dict[str, Any] = {
                        "invoice_id": str(invoice_id),
                        "reason": "uncollectible",
                    }
                    if plan.write_off != ALL:
                        body["amount"] = str(_part(plan.write_off, left))
                    model.written_off(
                        await _acknowledged(payments, "/v1/write-offs", body, supervisor)
                    )

        async def pay(invoice_id: uuid.UUID, plan: Plan) -> None:
            body = {
                "customer_id": customer_id,
                "method": "check",
                "amount": str(_paid(rng, model.invoices[invoice_id])),
                "currency": "USD",
                "received_on": str(Clock().today()),
                "reference": _reference(rng),
            }
            payment_id = model.payment_received(
                await _acknowledged(payments, "/v1/payments", body, staff)
            )
            applications = []
            left = model.unapplied(payment_id)
            targets = [invoice_id] + rng.sample(list(model.invoices), 1) * (rng.random() < 0.3)
            for target in dict.fromkeys(targets):
                amount = min(left, model.open_on(target))
                if amount > 0:
                    applications.append({"invoice_id": str(target), "amount": str(amount)})
                    left -= amount
            if applications:
                model.applied(
                    await _acknowledged(
                        payments,
                        f"/v1/payments/{payment_id}/applications",
                        {"applications": applications},
                        staff,
                    )
                )
            if plan.reversed:
                reversal = {"reason": "NSF"}
                path = f"/v1/payments/{payment_id}/reverse"
                assert (await _acknowledged(payments, path, reversal, supervisor))["status"] == (
                    "reversed"
                )
                model.reversed.add(payment_id)

        restarts: list[asyncio.Task[None]] = []

        async def kill_and_restart(victim: str) -> None:
            await first_ack.wait()
            await asyncio.sleep(delays[victim])
            # Shielded: a failing run cancels its other tasks, but not a restart half done.
            restarts.append(asyncio.create_task(cluster.restart(victim)))
            await asyncio.shield(restarts[-1])

        try:
            async with asyncio.TaskGroup() as run:
                for work in (bill(), settle(), *(kill_and_restart(v) for v in VICTIMS)):
                    run.create_task(work)
        finally:
            await asyncio.gather(*restarts, return_exceptions=True)
        print(
            f"  {len(model.invoices)} invoices, {len(model.memos)} memos, "
            f"{len(model.payments)} payments, {len(model.applications)} applications, "
            f"{len(model.reversed)} reversals, {len(model.write_offs)} write-offs acknowledged "
            f"and every victim back after {time.monotonic() - started:.1f} s"
        )
        assert sorted(model.invoices.values()) == sorted(p.amount for p in plans), (
            f"CHAOS_SEED={seed}"
        )

        documents = len(model.entries())
        deadline = time.monotonic() + SETTLE_TIMEOUT
        while True:
            held = await _held(cluster, customer_id)
            split = held["split"]
            expected = _expected(model, split) if not model.split_problems(split) else {}
            if held == expected:
                break
            # More entries than the model is a duplicate that no wait will remove.
            ledger = held["collections' ledger"]
            fixed = [e for e in ledger if e[1] not in SUMMED_KINDS]
            assert len(fixed) <= documents, f"CHAOS_SEED={seed}: {ledger}"
            differing = {k: (v, expected.get(k)) for k, v in held.items() if expected.get(k) != v}
            assert time.monotonic() < deadline, (
                f"CHAOS_SEED={seed}: held, expected: {differing}; {model.split_problems(split)}"
            )
            await asyncio.sleep(0.2)
        on_account = sum((model.on_account(i) for i in model.invoices), ZERO)
    print(
        f"  exactly once everywhere ({on_account} kept on account), run done in "
        f"{time.monotonic() - started:.1f} s"
    )
