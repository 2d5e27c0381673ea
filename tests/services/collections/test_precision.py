"""Every figure collections answers keeps its documented precision: money in the currency's
minor unit (USD "0.00", JPY "0"), days beyond terms to one decimal."""

import re
from datetime import timedelta
from typing import Any

import httpx

from shared.auth import Role
from shared.bus import InProcessBus
from shared.clock import Clock
from tests.conftest import AuthHeaders
from tests.services.collections.books import Books, overdue_customer, publish

TODAY = Clock().today()
CENTS = re.compile(r"^-?\d+\.\d{2}$")
YEN = re.compile(r"^-?\d+$")


def _amounts(answer: dict[str, Any], *names: str) -> list[str]:
    found = [answer[name] for name in names]
    return found + list(answer.get("buckets", {}).values())


async def test_money_keeps_the_minor_unit_and_days_one_decimal(
    api: httpx.AsyncClient, auth: AuthHeaders, ledger_bus: InProcessBus
) -> None:
    coordinator = auth(Role.AR_COORDINATOR)
    books, events = overdue_customer("PRECISE", (45, "1000"), (-10, "500"))
    early = TODAY - timedelta(days=200)
    paid_late = [books.invoice("100", early), books.invoice("200", early)]
    first, second = (books.payment(i.total, early) for i in paid_late)
    await publish(
        ledger_bus,
        *events,
        *paid_late,
        first,
        second,
        books.apply(first, paid_late[0], "100", paid_late[0].due_date + timedelta(days=10)),
        books.apply(second, paid_late[1], "200", paid_late[1].due_date + timedelta(days=17)),
        books.payment("123.4", TODAY - timedelta(days=1)),
    )
    yen = Books(currency="JPY")
    await publish(ledger_bus, yen.invoice("5000", TODAY - timedelta(days=50)))

    [row] = [
        r
        for r in (await api.get("/v1/worklist", headers=coordinator)).json()
        if r["currency"] == "USD"
    ]
    assert row["days_beyond_terms"] == "14.7"  # (100 × 10 + 200 × 17) ÷ 300 = 14.666...
    for amount in _amounts(row, "past_due", "disputed", "promised", "to_chase", "priority"):
        assert CENTS.match(amount), row

    aging = (
        await api.get("/v1/aging", params={"group_by": "customer"}, headers=coordinator)
    ).json()
    for line in aging["totals"] + aging["rows"]:
        pattern = YEN if line["currency"] == "JPY" else CENTS
        for amount in _amounts(line, "open_ar", "unapplied_credits", "net"):
            assert pattern.match(amount), line
    usd = next(t for t in aging["totals"] if t["currency"] == "USD")
    assert usd["buckets"]["1-30"] == "0.00" and usd["unapplied_credits"] == "-123.40"

    csv = (await api.get("/v1/aging", params={"format": "csv"}, headers=coordinator)).text
    assert "USD,TOTAL,,500.00,0.00,1000.00,0.00,0.00,0.00,1500.00,-123.40,1376.60" in csv

    items = (
        await api.get(
            "/v1/aging/items", params={"customer_id": str(books.customer_id)}, headers=coordinator
        )
    ).json()
    assert all(CENTS.match(i["balance"]) and CENTS.match(i["original_amount"]) for i in items)
    statement = (await api.get(f"/v1/statements/{books.customer_id}", headers=coordinator)).json()
    assert statement["balance"] == "1376.60"
