"""The worklist's 30- and 60-day rules, disputes and promises shown but not chased, and promises
kept or broken by the payments that follow."""

import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx

from shared.auth import Role
from shared.bus import InProcessBus
from shared.clock import Clock
from tests.conftest import AuthHeaders
from tests.services.collections.books import Books, overdue_customer, publish

# The product's business date (the company's zone), wherever the test session's clock is.
TODAY = Clock().today()


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


async def _customer_with_invoices(
    bus: InProcessBus, number: str, *due_days_ago_and_amounts: tuple[int, str]
) -> tuple[Books, list[Any]]:
    books, events = overdue_customer(number, *due_days_ago_and_amounts)
    await publish(bus, *events)
    return books, events[1:]


def _rows(response: httpx.Response) -> dict[str, dict[str, Any]]:
    assert response.status_code == 200, response.text
    return {row["account_number"]: row for row in response.json()}


async def test_worklist_applies_the_30_and_60_day_rules_and_skips_disputes_and_live_promises(
    api: httpx.AsyncClient, auth: AuthHeaders, ledger_bus: InProcessBus
) -> None:
    coordinator = auth(Role.AR_COORDINATOR)
    await _customer_with_invoices(ledger_bus, "C-45", (45, "1000"), (-10, "500"))
    disputed, [big] = await _customer_with_invoices(ledger_bus, "C-75", (75, "2000"))
    promised, _ = await _customer_with_invoices(ledger_bus, "C-40", (40, "800"))
    await _customer_with_invoices(ledger_bus, "C-10", (10, "300"))
    worked, _ = await _customer_with_invoices(ledger_bus, "C-35", (35, "600"))
    await _customer_with_invoices(ledger_bus, "C-CURRENT", (-5, "900"))

    dispute = await api.post(
        "/v1/disputes",
        headers=coordinator,
        json={
            "customer_id": str(disputed.customer_id),
            "invoice_id": str(big.invoice_id),
            "reason": "Hours disputed",
            "department": "operations",
        },
    )
    assert dispute.status_code == 201, dispute.text
    promise = await api.post(
        "/v1/promises",
        headers=coordinator,
        json={
            "customer_id": str(promised.customer_id),
            "amount": "800",
            "promised_on": str(TODAY + timedelta(days=5)),
        },
    )
    assert promise.status_code == 201, promise.text
    call = await api.post(
        "/v1/activities",
        headers=coordinator,
        json={
            "customer_id": str(worked.customer_id),
            "kind": "call",
            "outcome": "Check in the mail",
        },
    )
    assert call.status_code == 201, call.text

    response = await api.get("/v1/worklist", headers=auth(Role.AR_SUPERVISOR))
    rows = _rows(response)
    assert set(rows) == {"C-45", "C-75", "C-40", "C-10", "C-35"}  # nothing past due: not listed
    flags = {
        n: (r["follow_up_due"], r["needs_action_history"], Decimal(r["to_chase"]))
        for n, r in rows.items()
    }
    assert flags == {
        "C-45": (True, False, Decimal(1000)),  # over 30 days, unworked this week
        "C-75": (False, True, Decimal(0)),  # over 60: on the report; all of it disputed
        "C-40": (False, False, Decimal(0)),  # a live promise covers it
        "C-10": (False, False, Decimal(300)),  # under 30 days: no weekly follow-up yet
        "C-35": (False, False, Decimal(600)),  # worked today
    }
    assert Decimal(rows["C-75"]["disputed"]) == 2000 and Decimal(rows["C-40"]["promised"]) == 800
    due = await api.get("/v1/worklist", params={"follow_up_due": True}, headers=coordinator)
    assert list(_rows(due)) == ["C-45"]
    top = await api.get("/v1/worklist", params={"limit": 1}, headers=coordinator)
    assert list(_rows(top)) == ["C-45"]
    order = [row["account_number"] for row in response.json()]
    assert order[0] == "C-45" and set(order[-2:]) == {"C-75", "C-40"}


async def test_promise_is_kept_by_payment_and_broken_when_its_date_passes_short(
    api: httpx.AsyncClient, auth: AuthHeaders, ledger_bus: InProcessBus
) -> None:
    coordinator = auth(Role.AR_COORDINATOR)
    keeper, _ = await _customer_with_invoices(ledger_bus, "C-KEEPS", (40, "800"))
    breaker, _ = await _customer_with_invoices(ledger_bus, "C-BREAKS", (40, "800"))
    due = TODAY + timedelta(days=3)
    for books in (keeper, breaker):
        response = await api.post(
            "/v1/promises",
            headers=coordinator,
            json={"customer_id": str(books.customer_id), "amount": "800", "promised_on": str(due)},
        )
        assert response.status_code == 201, response.text
    await publish(
        ledger_bus,
        keeper.payment("500", TODAY),
        keeper.payment("300", TODAY + timedelta(days=1)),
        breaker.payment("500", TODAY + timedelta(days=2)),
    )

    after = str(due + timedelta(days=1))
    promises = (await api.get("/v1/promises", params={"as_of": after}, headers=coordinator)).json()[
        "items"
    ]
    status = {p["customer_id"]: (p["status"], Decimal(p["paid_amount"])) for p in promises}
    assert status == {
        str(keeper.customer_id): ("kept", 800),
        str(breaker.customer_id): ("broken", 500),
    }
    rows = _rows(await api.get("/v1/worklist", params={"as_of": after}, headers=coordinator))
    assert (rows["C-BREAKS"]["broken_promises"], rows["C-BREAKS"]["promised"]) == (1, "0.00")


async def test_promise_in_the_past_is_refused(
    api: httpx.AsyncClient, auth: AuthHeaders, ledger_bus: InProcessBus
) -> None:
    books, _ = await _customer_with_invoices(ledger_bus, "C-1", (40, "800"))
    response = await api.post(
        "/v1/promises",
        headers=auth(Role.AR_COORDINATOR),
        json={
            "customer_id": str(books.customer_id),
            "amount": "800",
            "promised_on": str(days_ago(1)),
        },
    )
    assert response.status_code == 422
    assert response.json()["type"].endswith("business-rule-violation")


async def test_resolved_dispute_is_chased_again(
    api: httpx.AsyncClient, auth: AuthHeaders, ledger_bus: InProcessBus
) -> None:
    coordinator = auth(Role.AR_COORDINATOR)
    books, [invoice] = await _customer_with_invoices(ledger_bus, "C-D", (40, "800"))
    opened = (
        await api.post(
            "/v1/disputes",
            headers=coordinator,
            json={
                "customer_id": str(books.customer_id),
                "invoice_id": str(invoice.invoice_id),
                "amount": "300",
                "reason": "Price",
                "department": "sales",
            },
        )
    ).json()
    assert (
        Decimal(_rows(await api.get("/v1/worklist", headers=coordinator))["C-D"]["to_chase"]) == 500
    )

    resolved = await api.post(
        f"/v1/disputes/{opened['id']}/resolve",
        headers=coordinator,
        json={"outcome": "company", "resolution": "Price confirmed with customer"},
    )
    assert resolved.json()["status"] == "resolved"
    assert (
        Decimal(_rows(await api.get("/v1/worklist", headers=coordinator))["C-D"]["to_chase"]) == 800
    )
    again = await api.post(
        f"/v1/disputes/{opened['id']}/resolve",
        headers=coordinator,
        json={"outcome": "company", "resolution": "x"},
    )
    assert again.status_code == 422


async def test_sales_may_read_the_worklist_but_not_record_promises(
    api: httpx.AsyncClient, auth: AuthHeaders, ledger_bus: InProcessBus
) -> None:
    books, _ = await _customer_with_invoices(ledger_bus, "C-S", (40, "800"))
    assert (await api.get("/v1/worklist", headers=auth(Role.SALES))).status_code == 200
    response = await api.post(
        "/v1/promises",
        headers=auth(Role.SALES),
        json={"customer_id": str(books.customer_id), "amount": "800", "promised_on": str(TODAY)},
    )
    assert response.status_code == 403


async def test_bad_disputes_are_refused_with_problems(
    api: httpx.AsyncClient, auth: AuthHeaders, ledger_bus: InProcessBus
) -> None:
    coordinator = auth(Role.AR_COORDINATOR)
    books, [invoice] = await _customer_with_invoices(ledger_bus, "C-A", (40, "800"))
    other, _ = await _customer_with_invoices(ledger_bus, "C-B", (40, "800"))
    body = {"reason": "Price", "department": "sales"}

    unknown = await api.post(
        "/v1/disputes",
        headers=coordinator,
        json=body | {"customer_id": str(uuid.uuid4()), "amount": "10"},
    )
    assert unknown.status_code == 404
    not_theirs = await api.post(
        "/v1/disputes",
        headers=coordinator,
        json=body | {"customer_id": str(other.customer_id), "invoice_id": str(invoice.invoice_id)},
    )
    assert not_theirs.status_code == 422
    too_much = await api.post(
        "/v1/disputes",
        headers=coordinator,
        json=body
        | {
            "customer_id": str(books.customer_id),
            "invoice_id": str(invoice.invoice_id),
            "amount": "900",
        },
    )
    assert too_much.status_code == 422 and "balance" in too_much.json()["detail"]
    bad_department = await api.post(
        "/v1/disputes",
        headers=coordinator,
        json=body | {"customer_id": str(books.customer_id), "amount": "10", "department": "legal"},
    )
    assert [e["field"] for e in bad_department.json()["errors"]] == ["body.department"]
    assert (await api.get("/v1/disputes", headers=coordinator)).json()["items"] == []


async def test_promise_kept_by_a_payment_that_bounces_is_broken_after_all(
    api: httpx.AsyncClient, auth: AuthHeaders, ledger_bus: InProcessBus
) -> None:
    coordinator = auth(Role.AR_COORDINATOR)
    books, _ = await _customer_with_invoices(ledger_bus, "C-NSF", (40, "800"))
    due = TODAY + timedelta(days=3)
    promised = await api.post(
        "/v1/promises",
        headers=coordinator,
        json={"customer_id": str(books.customer_id), "amount": "800", "promised_on": str(due)},
    )
    assert promised.status_code == 201
    check = books.payment("800", TODAY)
    await publish(ledger_bus, check)

    async def status(as_of: date) -> tuple[str, Decimal]:
        [p] = (
            await api.get("/v1/promises", params={"as_of": str(as_of)}, headers=coordinator)
        ).json()["items"]
        return p["status"], Decimal(p["paid_amount"])

    assert await status(due + timedelta(days=1)) == ("kept", 800)
    await publish(ledger_bus, books.reverse(check, TODAY + timedelta(days=1)))
    assert await status(due) == ("live", 0)
    assert await status(due + timedelta(days=1)) == ("broken", 0)
