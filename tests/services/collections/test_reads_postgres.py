"""The worklist and a customer's aging on PostgreSQL, which start from the items' balances and
sum in the database, answer what the same books give on SQLite, which sums entries in Python:
for today and for past days (payments made since then count as still owed), for a district and
for everyone, with disputes, promises, days beyond terms and cash on account."""

import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from shared.auth import Role
from shared.bus import InProcessBus
from shared.clock import Clock
from shared.events.catalog import EventPayload
from shared.events.customers import CustomerRegistered
from tests.conftest import AuthHeaders
from tests.services.collections.books import Books, publish
from tests.services.customer_events import customer

pytestmark = pytest.mark.postgres

TODAY = Clock().today()


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def _books() -> tuple[list[Books], list[EventPayload], uuid.UUID]:
    """Customers in two districts: one paying late in full, one part paying, one disputing, one
    with cash on account, one paid since the past days asked about."""
    late, partial, disputing, on_account, paid_since = (
        Books(district=district)
        for district in ("permian", "permian", "permian", "bakken", "permian")
    )
    everyone = [late, partial, disputing, on_account, paid_since]
    events: list[EventPayload] = [
        CustomerRegistered(
            customer=customer(
                id=b.customer_id,
                account_number=f"C-{n}",
                business_district=b.district,
                sales_rep=b.sales_rep,
            )
        )
        for n, b in enumerate(everyone)
    ]
    old = [late.invoice("100.00", days_ago(200)), late.invoice("200.00", days_ago(150))]
    for n, invoice in enumerate(old):
        payment = late.payment(invoice.total, invoice.due_date + timedelta(days=10 + 7 * n))
        events += [
            invoice,
            payment,
            late.apply(payment, invoice, invoice.total, payment.received_on),
        ]
    events.append(late.invoice("410.10", days_ago(75)))
    big = partial.invoice("1000.00", days_ago(95))
    part = partial.payment("400.00", days_ago(30))
    events += [big, part, partial.apply(part, big, "400.00", days_ago(30))]
    disputed = disputing.invoice("750.00", days_ago(65))
    events.append(disputed)
    events.append(disputing.invoice("80.00", days_ago(20)))
    events.append(on_account.invoice("300.00", days_ago(50)))
    events.append(on_account.payment("120.00", days_ago(3)))
    recent = paid_since.invoice("900.00", days_ago(80))
    paid = paid_since.payment("900.00", days_ago(10))
    events += [recent, paid, paid_since.apply(paid, recent, "900.00", days_ago(10))]
    return everyone, events, disputed.invoice_id


async def _work(
    api: httpx.AsyncClient, headers: dict[str, str], books: list[Books], disputed: uuid.UUID
) -> None:
    """The same dispute and promise recorded through each service's API."""
    dispute = {
        "customer_id": str(books[2].customer_id),
        "invoice_id": str(disputed),
        "reason": "Hours disputed",
        "department": "operations",
    }
    promise = {
        "customer_id": str(books[1].customer_id),
        "amount": "250.00",
        "promised_on": str(TODAY + timedelta(days=5)),
    }
    for path, body in (("/v1/disputes", dispute), ("/v1/promises", promise)):
        answer = await api.post(path, headers=headers, json=body)
        assert answer.status_code == 201, answer.text


def _rows(answer: httpx.Response) -> list[dict[str, Any]]:
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


async def test_postgres_worklist_answers_as_sqlite_does_today_and_on_past_days(
    api: httpx.AsyncClient,
    ledger_bus: InProcessBus,
    pg_api: tuple[httpx.AsyncClient, InProcessBus],
    auth: AuthHeaders,
) -> None:
    coordinator = auth(Role.AR_COORDINATOR)
    books, events, disputed = _books()
    postgres, pg_bus = pg_api
    for client, bus in ((api, ledger_bus), (postgres, pg_bus)):
        await publish(bus, *events)
        await _work(client, coordinator, books, disputed)

    for as_of in (TODAY, days_ago(5), days_ago(20), days_ago(40), days_ago(100)):
        for district in (None, "permian", "bakken"):
            params = {"as_of": str(as_of)} | ({"business_district": district} if district else {})
            on_sqlite = _rows(await api.get("/v1/worklist", params=params, headers=coordinator))
            on_postgres = _rows(
                await postgres.get("/v1/worklist", params=params, headers=coordinator)
            )
            assert on_postgres == on_sqlite, (as_of, district)

    today = {
        r["customer_id"]: r for r in _rows(await postgres.get("/v1/worklist", headers=coordinator))
    }
    late, partial, disputing, on_account, paid_since = (str(b.customer_id) for b in books)
    # (100 × 10 + 200 × 17) ÷ 300 days beyond terms; the invoice paid since is not past due.
    assert today[late]["days_beyond_terms"] == "14.7"
    assert today[late]["past_due"] == "410.10"
    assert (today[partial]["past_due"], today[partial]["promised"]) == ("600.00", "250.00")
    assert (today[disputing]["past_due"], today[disputing]["disputed"]) == ("750.00", "750.00")
    assert today[on_account]["past_due"] == "300.00"
    assert paid_since not in today
    # Forty days ago the invoice paid ten days ago, and the one part paid thirty days ago, were
    # past due in full.
    then = {
        r["customer_id"]: r
        for r in _rows(
            await postgres.get(
                "/v1/worklist", params={"as_of": str(days_ago(40))}, headers=coordinator
            )
        )
    }
    assert then[paid_since]["past_due"] == "900.00"
    assert then[partial]["past_due"] == "1000.00"


async def test_postgres_customer_aging_answers_as_sqlite_does_and_adds_up_to_the_portfolio(
    api: httpx.AsyncClient,
    ledger_bus: InProcessBus,
    pg_api: tuple[httpx.AsyncClient, InProcessBus],
    auth: AuthHeaders,
) -> None:
    headers = auth(Role.AR_COORDINATOR)
    books, events, _ = _books()
    postgres, pg_bus = pg_api
    await publish(ledger_bus, *events)
    await publish(pg_bus, *events)

    async def read(client: httpx.AsyncClient, **params: str) -> dict[str, Any]:
        answer = await client.get("/v1/aging", params=params, headers=headers)
        assert answer.status_code == 200, answer.text
        return answer.json()  # type: ignore[no-any-return]

    for as_of in (str(d) for d in (TODAY, days_ago(5), days_ago(40), days_ago(100))):
        portfolio = await read(postgres, as_of=as_of)
        per_customer = await read(postgres, as_of=as_of, group_by="customer")
        assert per_customer == await read(api, as_of=as_of, group_by="customer"), as_of
        assert per_customer["totals"] == portfolio["totals"], as_of
        rows = {row["group"]: row for row in per_customer["rows"]}
        for b in books:
            own = await read(postgres, as_of=as_of, customer_id=str(b.customer_id))
            assert own == await read(api, as_of=as_of, customer_id=str(b.customer_id))
            row = rows.get(str(b.customer_id))
            named = {"group": row and row["group"], "name": row and row["name"]}
            assert [line | named for line in own["totals"]] == ([row] if row else []), (
                as_of,
                b.customer_id,
            )
    # Today the part-paid customer owes 600 of 1,000 in 91-120 days; 40 days ago, all of it.
    partial = str(books[1].customer_id)
    [today] = (await read(postgres, customer_id=partial))["totals"]
    [then] = (await read(postgres, customer_id=partial, as_of=str(days_ago(40))))["totals"]
    assert (today["open_ar"], then["open_ar"]) == ("600.00", "1000.00")
