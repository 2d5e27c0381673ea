"""Recurring storage billed by the billing runs: prorated by the days stored, in advance,
each period once, with pauses and price changes from a date."""

from decimal import Decimal
from typing import Any

import httpx
import pytest

from shared.auth import Role
from shared.events.customers import CustomerSnapshot
from tests.conftest import AuthHeaders
from tests.services.invoicing.conftest import invoices_of_run, issue_run, run_billing

pytestmark = pytest.mark.usefixtures("taxed")


async def start(
    api: httpx.AsyncClient, auth: AuthHeaders, customer: CustomerSnapshot, **body: Any
) -> dict[str, Any]:
    response = await api.post(
        "/v1/storage-schedules",
        json={
            "customer_id": str(customer.id),
            "business_district": "permian",
            "description": "Trailer storage, yard 2",
            "job_site": "Yard 4",
            "po_number": "PO-77",
        }
        | body,
        headers=auth(Role.AR_COORDINATOR),
    )
    assert response.status_code == 201, response.text
    return response.json()


async def billed(api: httpx.AsyncClient, auth: AuthHeaders, day: str) -> list[str]:
    run = await run_billing(api, auth, cut_off=day, invoice_date=day)
    await issue_run(api, auth, run["id"])
    return [
        line["amount"]
        for invoice in await invoices_of_run(api, auth, run["id"])
        for line in invoice["lines"]
    ]


async def test_storage_in_advance_prorates_its_first_and_last_month(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot
) -> None:
    schedule = await start(api, auth, acme, start="2026-03-10", end="2026-05-21", price="450.00")
    assert await billed(api, auth, "2026-03-09") == []
    assert await billed(api, auth, "2026-03-10") == ["319.35"]  # 450 × 22/31
    assert await billed(api, auth, "2026-03-31") == []
    assert await billed(api, auth, "2026-04-01") == ["450.00"]
    assert await billed(api, auth, "2026-05-01") == ["290.32"]  # 450 × 20/31
    assert await billed(api, auth, "2026-06-01") == []
    read = await api.get(f"/v1/storage-schedules/{schedule['id']}", headers=auth(Role.AUDITOR))
    assert [c["amount"] for c in read.json()["charges"]] == ["319.35", "450.00", "290.32"]


async def test_pauses_and_price_changes_are_prorated_by_day(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot
) -> None:
    schedule = await start(
        api,
        auth,
        acme,
        start="2026-03-01",
        price="10.00",
        units="3",
        timing="arrears",
        period="28_day",
    )
    url = f"/v1/storage-schedules/{schedule['id']}"
    staff = auth(Role.AR_COORDINATOR)
    for path, body in (
        ("pause", {"on": "2026-03-08"}),
        ("resume", {"on": "2026-03-15"}),
        ("prices", {"effective": "2026-03-15", "amount": "20.00"}),
    ):
        response = await api.post(f"{url}/{path}", json=body, headers=staff)
        assert response.status_code == 200, response.text
    assert await billed(api, auth, "2026-03-27") == []  # in arrears: due on the 28th day
    # 7 days at 10.00 and 14 at 20.00, for 3 units, over 28 days; the paused week is free.
    assert await billed(api, auth, "2026-03-28") == ["37.50"]
    again = await api.post(f"{url}/resume", json={"on": "2026-04-01"}, headers=staff)
    assert again.status_code == 422
    twice = await api.post(
        f"{url}/prices", json={"effective": "2026-03-15", "amount": "5.00"}, headers=staff
    )
    assert twice.status_code == 422
    ended = await api.post(f"{url}/end", json={"on": "2026-04-05"}, headers=staff)
    assert ended.status_code == 200
    # 29 March to 4 April: 7 days at 20.00 for 3 units over 28 = 15.00.
    assert await billed(api, auth, "2026-04-30") == ["15.00"]


async def test_storage_billed_ahead_and_ended_inside_the_period_is_credited_on_its_invoice(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot
) -> None:
    schedule = await start(api, auth, acme, start="2026-03-10", price="450.00")
    assert await billed(api, auth, "2026-03-10") == ["319.35"]
    run = await run_billing(api, auth, cut_off="2026-04-01", invoice_date="2026-04-01")
    await issue_run(api, auth, run["id"])
    [april] = await invoices_of_run(api, auth, run["id"])
    url = f"/v1/storage-schedules/{schedule['id']}"
    staff = auth(Role.AR_COORDINATOR)
    ended = await api.post(f"{url}/end", json={"on": "2026-04-21"}, headers=staff)
    assert ended.status_code == 200, ended.text
    # April was billed 450.00 ahead; 20 of its 30 days were stored: 300.00, so 150.00 back.
    charges = ended.json()["charges"]
    assert [(c["amount"], c["credited"]) for c in charges] == [
        ("319.35", "0.00"),
        ("450.00", "150.00"),
    ]
    memo_id = charges[1]["credit_memo_id"]
    memo = await api.get(f"/v1/credit-memos/{memo_id}", headers=auth(Role.AUDITOR))
    assert memo.status_code == 200, memo.text
    assert memo.json()["invoice_id"] == april["id"]
    assert memo.json()["subtotal"] == "150.00"
    journal = await api.get(
        "/v1/journal", params={"from": "2026-01-01", "to": "2099-12-31"}, headers=auth(Role.AUDITOR)
    )
    [entry] = [e for e in journal.json()["items"] if e["source"] == "credit_memo"]
    debits = sum(Decimal(p["debit"]) for p in entry["postings"])
    credits = sum(Decimal(p["credit"]) for p in entry["postings"])
    assert debits == credits == Decimal(memo.json()["total"])
    assert await billed(api, auth, "2026-05-01") == []  # nothing after the end
    again = await api.post(f"{url}/end", json={"on": "2026-04-25"}, headers=staff)
    assert again.status_code == 422
