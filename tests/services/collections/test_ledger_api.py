"""The ledger as the service keeps it: random histories through the bus give the aging and the
tie-out the rules promise; an item shows its history; an application before its invoice waits."""

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.collections.jobs.rebuild import rebuild
from shared.auth import Role
from shared.bus import InProcessBus
from shared.events.catalog import EventPayload
from shared.events.customers import CustomerRegistered
from shared.service import Service
from tests.conftest import AuthHeaders
from tests.services.collections.books import Books, publish
from tests.services.collections.histories import START, histories, open_ar_by_formula
from tests.services.collections.scenario import plain
from tests.services.customer_events import customer
from tests.support import sqlite_url

READ = Role.AUDITOR


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(events=histories(), offset=st.integers(min_value=0, max_value=300))
async def test_random_histories_age_to_open_ar_and_tie_to_the_journal(
    api: httpx.AsyncClient,
    auth: AuthHeaders,
    ledger_bus: InProcessBus,
    events: list[EventPayload],
    offset: int,
) -> None:
    await publish(ledger_bus, *events)
    as_of = START + timedelta(days=offset)
    customer_id = str(events[0].customer_id)  # type: ignore[attr-defined]
    aging = (
        await api.get(
            "/v1/aging",
            params={"as_of": str(as_of), "customer_id": customer_id},
            headers=auth(READ),
        )
    ).json()
    open_ar = sum((Decimal(t["open_ar"]) for t in aging["totals"]), Decimal(0))
    assert open_ar == sum(
        (Decimal(v) for t in aging["totals"] for v in t["buckets"].values()), Decimal(0)
    )
    assert open_ar == open_ar_by_formula(events, as_of)
    tie = (
        await api.get("/v1/ledger/tie-out", params={"as_of": str(as_of)}, headers=auth(READ))
    ).json()
    assert all(Decimal(t["difference"]) == 0 for t in tie)


async def test_item_history_lists_every_dated_change(
    api: httpx.AsyncClient, auth: AuthHeaders, ledger_bus: InProcessBus
) -> None:
    books = Books()
    invoice = books.invoice("1000", date(2026, 9, 1))
    payment = books.payment("400", date(2026, 9, 20))
    await publish(
        ledger_bus,
        invoice,
        payment,
        books.apply(payment, invoice, "400", date(2026, 9, 20)),
        books.write_off(invoice, "50", date(2026, 10, 1)),
    )

    item = (await api.get(f"/v1/ledger/items/{invoice.invoice_id}", headers=auth(READ))).json()
    assert Decimal(item["balance"]) == Decimal("550")
    assert [(h["kind"], Decimal(h["amount"])) for h in item["history"]] == [
        ("invoiced", 1000),
        ("paid", -400),
        ("written_off", -50),
    ]


async def test_payment_applied_before_its_invoice_arrives_is_posted_when_it_does(
    api: httpx.AsyncClient, auth: AuthHeaders, ledger_bus: InProcessBus
) -> None:
    books = Books()
    invoice = books.invoice("1000", date(2026, 9, 1))
    payment = books.payment("1000", date(2026, 9, 20))
    # Payments and invoicing publish on different topics: the application may come first.
    await publish(ledger_bus, payment, books.apply(payment, invoice, "1000", date(2026, 9, 20)))
    await publish(ledger_bus, invoice)

    item = (await api.get(f"/v1/ledger/items/{invoice.invoice_id}", headers=auth(READ))).json()
    assert Decimal(item["balance"]) == 0
    paid = (await api.get(f"/v1/ledger/items/{payment.payment_id}", headers=auth(READ))).json()
    assert Decimal(paid["balance"]) == 0


async def test_unknown_item_is_a_404_problem(api: httpx.AsyncClient, auth: AuthHeaders) -> None:
    response = await api.get(
        "/v1/ledger/items/7c4d3c52-8f7e-4a55-9a43-5c1f4b1c2d10", headers=auth(READ)
    )
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_cash_from_a_customer_not_yet_known_moves_to_its_district_once_registered(
    api: httpx.AsyncClient,
    auth: AuthHeaders,
    ledger_bus: InProcessBus,
    tmp_path: Path,
    collections: Service,
) -> None:
    books = Books(district="eagle_ford")
    await publish(ledger_bus, books.payment("250", date(2026, 10, 5)))
    by_district = {"as_of": "2026-10-31", "group_by": "district"}

    async def credits() -> dict[str, str]:
        rows = (await api.get("/v1/aging", params=by_district, headers=auth(READ))).json()["rows"]
        return {r["group"]: plain(r["unapplied_credits"]) for r in rows}

    assert await credits() == {"": "-250"}
    await publish(
        ledger_bus,
        CustomerRegistered(
            customer=customer(
                id=books.customer_id, business_district="eagle_ford", sales_rep="rep-smith"
            )
        ),
    )
    assert await credits() == {"eagle_ford": "-250"}
    rebuilt = sqlite_url(tmp_path, "rebuilt")
    assert await rebuild(collections.settings.database_url, rebuilt, collections.clock) == []
