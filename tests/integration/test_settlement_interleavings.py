"""No interleaving of credit memos, applications, write-offs, voids and reversals takes an invoice
below zero, in any service, on real PostgreSQL and Kafka with the five services
(docs/architecture.md#one-authority-over-an-open-balance).

Each run is one customer and one invoice: a payment is received, then a random set of the five
operations is sent at once, in a random order with random gaps, so each lands within the others'
event delay. Once every service has caught up, each service's ledger is compared with the model
of tests/settlement_model.py, built from what the APIs acknowledged (the chaos runs use it too):
the invoice is never below zero, the only credits are the memos' documented on-account parts and
unapplied cash, each to the cent whatever the order (only how two memos share their on-account
part is read from payments, the authority), every service holds the same, the customer's net
position is what the acknowledged documents add up to, and the ledger ties to the AR control
account.

`AR_INTERLEAVE_RUNS` runs (default 4, in `make test`; `make interleave RUNS=200` for more),
`AR_INTERLEAVE_LANES` at a time, `AR_INTERLEAVE_SEED` to repeat a sequence."""

import asyncio
import os
import random
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx
import pytest

from shared.auth import Role
from shared.service import Service
from tests.conftest import AuthHeaders
from tests.integration.conftest import client
from tests.services.invoicing.conftest import set_up_tax
from tests.settlement_model import ZERO, Settlements, money
from tests.support import eventually, new_customer

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]

RUNS = int(os.environ.get("AR_INTERLEAVE_RUNS", "4"))
LANES = int(os.environ.get("AR_INTERLEAVE_LANES", "4"))
SEED = int(os.environ.get("AR_INTERLEAVE_SEED", str(random.SystemRandom().randrange(10**6))))
OPERATIONS = ("memo", "memo", "apply", "write_off", "void", "reverse")
LINE = {
    "description": "Pump rental",
    "quantity": "1",
    "unit": "ea",
    "unit_price": "1000.00",
    "taxability": "exempt",
    "service_line": "rentals",
}


@dataclass
class Run:
    """What one run sent and what the APIs acknowledged."""

    number: int
    operations: list[str]
    customer_id: str = ""
    invoice: dict[str, Any] = field(default_factory=dict)
    payment: dict[str, Any] = field(default_factory=dict)
    answers: list[tuple[str, int]] = field(default_factory=list)
    model: Settlements = field(default_factory=Settlements)


@dataclass
class Apis:
    customers: httpx.AsyncClient
    invoicing: httpx.AsyncClient
    payments: httpx.AsyncClient
    collections: httpx.AsyncClient
    credit: httpx.AsyncClient


async def _ok(response: Awaitable[httpx.Response], *expected: int) -> Any:
    answer = await response
    assert answer.status_code in expected, answer.text
    return answer.json()


async def _prepare(apis: Apis, auth: AuthHeaders, run: Run) -> None:
    """A customer known everywhere, an issued invoice payments knows, a payment received."""
    staff = auth(Role.AR_COORDINATOR)
    created = await _ok(
        apis.customers.post("/v1/customers", json=new_customer(), headers=staff), 201
    )
    run.customer_id = created["id"]
    for api, path in ((apis.invoicing, "/v1/billing-accounts/"), (apis.payments, "/v1/payers/")):

        async def copied(api: httpx.AsyncClient = api, path: str = path) -> bool:
            return (await api.get(path + run.customer_id, headers=staff)).status_code == 200

        await eventually(copied, timeout=60)
    body = {"customer_id": run.customer_id, "lines": [LINE]}
    draft = await _ok(apis.invoicing.post("/v1/invoices", json=body, headers=staff), 201)
    run.invoice = await _ok(
        apis.invoicing.post(f"/v1/invoices/{draft['id']}/issue", headers=staff), 200
    )
    run.model.invoice_issued(run.invoice)

    async def known() -> bool:
        path = f"/v1/invoice-balances/{run.invoice['id']}"
        return (await apis.payments.get(path, headers=staff)).status_code == 200

    await eventually(known, timeout=60)
    # An amount no invoice of the customer matches, so cash application leaves it unapplied.
    payment = {
        "customer_id": run.customer_id,
        "method": "check",
        "amount": "1234.56",
        "currency": "USD",
        "received_on": run.invoice["invoice_date"],
    }
    run.payment = await _ok(apis.payments.post("/v1/payments", json=payment, headers=staff), 201)
    run.model.payment_received(run.payment)


async def _fire(apis: Apis, auth: AuthHeaders, run: Run, rng: random.Random) -> None:
    """Every operation of the run at once, each after a random gap of up to 30 ms."""
    supervisor = auth(Role.AR_SUPERVISOR, subject="sam")
    invoice_id, payment_id = run.invoice["id"], run.payment["id"]

    def memo_body() -> dict[str, Any]:
        body: dict[str, Any] = {"invoice_id": invoice_id, "reason_code": "goodwill"}
        if rng.random() < 0.5:  # part of the line, or (without lines) the whole invoice
            amount = f"{rng.randrange(1, 1000)}.{rng.randrange(100):02d}"
            body["lines"] = [{"line": 1, "amount": amount}]
        return body

    def request(operation: str) -> Callable[[], Awaitable[httpx.Response]]:
        if operation == "memo":
            body = memo_body()
            return lambda: apis.invoicing.post("/v1/credit-memos", json=body, headers=supervisor)
        if operation == "apply":
            amount = rng.choice(["1000.00", "400.00", "999.99"])
            body = {"applications": [{"invoice_id": invoice_id, "amount": amount}]}
            path = f"/v1/payments/{payment_id}/applications"
            return lambda: apis.payments.post(path, json=body, headers=supervisor)
        if operation == "write_off":
            body = {"invoice_id": invoice_id, "reason": "uncollectible"}
            return lambda: apis.payments.post("/v1/write-offs", json=body, headers=supervisor)
        if operation == "void":
            path, body = f"/v1/invoices/{invoice_id}/void", {"reason": "billed in error"}
            return lambda: apis.invoicing.post(path, json=body, headers=supervisor)
        path, body = f"/v1/payments/{payment_id}/reverse", {"reason": "NSF"}
        return lambda: apis.payments.post(path, json=body, headers=supervisor)

    async def send(operation: str, gap: float) -> None:
        call = request(operation)
        await asyncio.sleep(gap)
        answer = await call()
        assert answer.status_code < 500, (operation, answer.text)
        run.answers.append((operation, answer.status_code))
        if answer.status_code >= 300:
            return
        if operation == "memo":
            run.model.memo_issued(answer.json())
        elif operation == "apply":
            run.model.applied(answer.json())
        elif operation == "write_off":
            run.model.written_off(answer.json())
        elif operation == "void":
            run.model.voided.add(uuid.UUID(invoice_id))
        else:
            run.model.reversed.add(uuid.UUID(payment_id))

    await asyncio.gather(*(send(op, rng.random() * 0.03) for op in run.operations))


async def _views(apis: Apis, auth: AuthHeaders, run: Run) -> dict[str, Any]:
    reader = auth(Role.AUDITOR)
    invoice_id, payment_id = run.invoice["id"], run.payment["id"]

    async def item(item_id: str) -> Decimal | None:
        answer = await apis.collections.get(f"/v1/ledger/items/{item_id}", headers=reader)
        return money(answer.json()["balance"]) if answer.status_code == 200 else None

    balance = await _ok(
        apis.payments.get(f"/v1/invoice-balances/{invoice_id}", headers=reader), 200
    )
    payment = await _ok(apis.payments.get(f"/v1/payments/{payment_id}", headers=reader), 200)
    invoice = await _ok(apis.invoicing.get(f"/v1/invoices/{invoice_id}", headers=reader), 200)
    # 404 until credit has heard of the customer: not caught up yet.
    exposure = await apis.credit.get(f"/v1/exposure/{run.customer_id}", headers=reader)
    return {
        "payments": balance,
        "payment": payment,
        "invoicing": invoice,
        "collections_invoice": await item(invoice_id),
        "collections_memos": [await item(str(m)) for m in run.model.memos],
        "collections_payment": await item(payment_id),
        "credit_open_ar": (
            money(exposure.json()["open_ar"]) if exposure.status_code == 200 else None
        ),
    }


def _disagreements(run: Run, views: dict[str, Any]) -> list[str]:
    """Where a service's ledger differs from the model."""
    model, authority = run.model, views["payments"]
    invoice_id, payment_id = uuid.UUID(run.invoice["id"]), uuid.UUID(run.payment["id"])
    split = {uuid.UUID(m["id"]): money(m["on_account"]) for m in authority["credit_memos"]}
    problems = model.split_problems(split)
    voided, invoice, open_amount = (
        invoice_id in model.voided,
        views["invoicing"],
        model.open_on(invoice_id),
    )

    def expect(what: str, found: Any, expected: Any) -> None:
        if found != expected:
            problems.append(f"{what}: {found} != {expected}")

    expect("payments' balance", money(authority["balance"]), open_amount)
    expect("payments' status", authority["status"] == "voided", voided)
    expect("payments' unapplied", money(views["payment"]["unapplied"]), model.unapplied(payment_id))
    expect("invoicing's status", invoice["status"] == "voided", voided)
    if not voided:
        expect("invoicing's open amount", money(invoice["open_amount"]), open_amount)
    expect(
        "invoicing's on-account credit",
        money(invoice["credit_on_account"]),
        model.on_account(invoice_id),
    )
    expect("collections' invoice", views["collections_invoice"], open_amount)
    expect(
        "collections' memos",
        views["collections_memos"],
        [-split.get(m, ZERO) for m in model.memos],
    )
    expect("collections' payment", views["collections_payment"], -model.unapplied(payment_id))
    # The same documents add up to the same position, whatever order they were applied in.
    expect("credit's open AR", views["credit_open_ar"], model.position())
    return problems


async def _check(apis: Apis, auth: AuthHeaders, run: Run) -> None:
    last: list[str] = []

    async def settled() -> bool:
        nonlocal last
        last = _disagreements(run, await _views(apis, auth, run))
        return not last

    try:
        await eventually(settled, timeout=90)
    except AssertionError as caught:
        raise AssertionError(f"run {run.number} {run.answers}: {last}") from caught


async def test_a_memo_and_a_payment_sent_at_once_leave_the_invoice_at_zero_everywhere(
    all_services: dict[str, Service], auth: AuthHeaders
) -> None:
    """The issue's case: a whole credit memo in invoicing and the full payment applied in
    payments, sent together, are both accepted; the invoice ends at zero in every service and
    the memo's credit is the customer's, on account."""
    async with (
        client(all_services["customers"]) as customers,
        client(all_services["invoicing"]) as invoicing,
        client(all_services["payments"]) as payments,
        client(all_services["collections"]) as collections,
        client(all_services["credit"]) as credit,
    ):
        apis = Apis(customers, invoicing, payments, collections, credit)
        await set_up_tax(invoicing, auth)
        run = Run(0, [])
        await _prepare(apis, auth, run)
        invoice_id, supervisor = run.invoice["id"], auth(Role.AR_SUPERVISOR, subject="sam")
        memo, applied = await asyncio.gather(
            invoicing.post(
                "/v1/credit-memos",
                json={"invoice_id": invoice_id, "reason_code": "goodwill"},
                headers=supervisor,
            ),
            payments.post(
                f"/v1/payments/{run.payment['id']}/applications",
                json={"applications": [{"invoice_id": invoice_id, "amount": "1000.00"}]},
                headers=supervisor,
            ),
        )
        assert (memo.status_code, applied.status_code) == (201, 201), (memo.text, applied.text)
        reader = auth(Role.AUDITOR)

        async def balances() -> tuple[Decimal, ...] | None:
            found = (
                (await payments.get(f"/v1/invoice-balances/{invoice_id}", headers=reader)).json()[
                    "balance"
                ],
                (await invoicing.get(f"/v1/invoices/{invoice_id}", headers=reader)).json()[
                    "open_amount"
                ],
                (await collections.get(f"/v1/ledger/items/{invoice_id}", headers=reader))
                .json()
                .get("balance"),
                (await collections.get(f"/v1/ledger/items/{memo.json()['id']}", headers=reader))
                .json()
                .get("balance"),
            )
            if None in found:
                return None
            values = tuple(money(v) for v in found)
            # Settled once the three copies of the invoice agree and the memo reached collections.
            return values if len(set(values[:3])) == 1 else None

        payments_, invoicing_, collections_, memo_credit = await eventually(balances, timeout=60)
        assert (payments_, invoicing_, collections_) == (ZERO, ZERO, ZERO)
        assert memo_credit == -money(memo.json()["total"])  # on account, not lost


# Past the suite's 300 s per test when asked for many runs.
@pytest.mark.timeout(120 + 15 * RUNS)
async def test_no_interleaving_takes_an_invoice_below_zero_and_every_ledger_agrees(
    all_services: dict[str, Service], auth: AuthHeaders
) -> None:
    rng = random.Random(SEED)
    print(f"AR_INTERLEAVE_SEED={SEED} runs={RUNS} lanes={LANES}")
    async with (
        client(all_services["customers"]) as customers,
        client(all_services["invoicing"]) as invoicing,
        client(all_services["payments"]) as payments,
        client(all_services["collections"]) as collections,
        client(all_services["credit"]) as credit,
    ):
        apis = Apis(customers, invoicing, payments, collections, credit)
        await set_up_tax(invoicing, auth)
        runs = [
            Run(n, rng.sample(OPERATIONS, rng.randint(2, len(OPERATIONS)))) for n in range(RUNS)
        ]
        seeds = [rng.randrange(10**9) for _ in runs]
        lanes = asyncio.Semaphore(LANES)

        async def one(run: Run, seed: int) -> None:
            async with lanes:
                await _prepare(apis, auth, run)
                await _fire(apis, auth, run, random.Random(seed))
                await _check(apis, auth, run)

        await asyncio.gather(*(one(run, seed) for run, seed in zip(runs, seeds, strict=True)))

        reader = auth(Role.AUDITOR)
        tie_out = await _ok(collections.get("/v1/ledger/tie-out", headers=reader), 200)
        assert all(money(t["difference"]) == 0 for t in tie_out), tie_out
    outcomes = Counter(f"{op}:{status}" for run in runs for op, status in run.answers)
    races = sum(
        1
        for run in runs
        if run.model.memos
        and any(op in ("apply", "write_off") and status < 300 for op, status in run.answers)
    )
    print(
        f"interleavings: {len(runs)} runs passed, seed {SEED}; {races} runs settled a memo "
        f"and cash or a write-off at once; answers {dict(sorted(outcomes.items()))}"
    )
