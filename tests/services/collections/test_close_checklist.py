"""The close checklist: items the data decide and items a person signs, each with who signed it;
a month closes only once it is complete, or with an override and its reason; what is kept at the
close (AR, aging, KPIs) never changes, and the closed month's report says what arrived since."""

from datetime import timedelta
from decimal import Decimal

import httpx

from services.collections.queries.close import CHECKLIST, last_business_day
from services.collections.queries.kpis import Month
from shared.auth import Role
from shared.bus import InProcessBus
from shared.clock import Clock
from shared.events.customers import CustomerRegistered
from tests.conftest import AuthHeaders
from tests.services.collections.books import Books, publish
from tests.services.customer_events import customer

TODAY = Clock().today()
MONTH = Month.parse(f"{TODAY.replace(day=1) - timedelta(days=1):%Y-%m}")
PERIOD = str(MONTH)
ITEMS = [check.key for check in CHECKLIST]


async def _books(ledger_bus: InProcessBus) -> Books:
    books = Books()
    invoice = books.invoice("1200.00", MONTH.first)
    await publish(
        ledger_bus,
        CustomerRegistered(customer=customer(id=books.customer_id, account_number="C-CL")),
        invoice,
        books.payment("200.00", last_business_day(MONTH)),
        books.ticket("300.00", MONTH.first),  # stale and unbilled at the month's end
    )
    return books


async def _reconcile(api: httpx.AsyncClient, auth: AuthHeaders) -> None:
    """Both systems agree with the ledger; a supervisor who did not prepare it signs it off."""
    staff = auth(Role.AR_COORDINATOR, subject="pat")
    started = await api.post("/v1/reconciliations", json={"as_of": str(MONTH.last)}, headers=staff)
    rec = started.json()["id"]
    rows = [
        {"account_number": "C-CL", "document": "INV-000001", "amount": "1200.00"},
        {"account_number": "C-CL", "document": "CHK-000002", "amount": "-200.00"},
    ]
    for side in ("sales", "accounting"):
        sent = await api.post(
            f"/v1/reconciliations/{rec}/sources/{side}", json={"rows": rows}, headers=staff
        )
        assert sent.status_code == 200 and sent.json()["differences"] == [], sent.text
    signed = await api.post(
        f"/v1/reconciliations/{rec}/sign-off", headers=auth(Role.AR_SUPERVISOR, subject="sam")
    )
    assert signed.status_code == 200, signed.text


async def test_a_month_closes_once_every_item_is_signed_and_its_figures_stay_as_closed(
    api: httpx.AsyncClient, auth: AuthHeaders, ledger_bus: InProcessBus
) -> None:
    books = await _books(ledger_bus)
    supervisor = auth(Role.AR_SUPERVISOR, subject="sam")
    coordinator = auth(Role.AR_COORDINATOR, subject="cody")
    url = f"/v1/periods/{PERIOD}/checklist"

    listed = (await api.get(url, headers=auth(Role.AUDITOR))).json()
    assert [i["item"] for i in listed["items"]] == ITEMS and not listed["complete"]
    item = {i["item"]: i for i in listed["items"]}
    assert item["bank_files_in"]["done"] is True
    assert item["reconciliation_signed"]["done"] is False
    assert "1 tickets" in item["stale_unbilled_reviewed"]["detail"]
    assert "200.00 USD" in item["unapplied_cash_reviewed"]["detail"]
    assert item["billing_runs_done"]["computed"] is False

    refused = await api.post(f"/v1/periods/{PERIOD}/close", headers=supervisor)
    assert refused.status_code == 422
    assert refused.json()["type"].endswith("close-checklist-incomplete")
    assert refused.json()["items"] == ITEMS

    not_yet = await api.post(f"{url}/reconciliation_signed/sign", headers=coordinator)
    assert not_yet.status_code == 422 and "not done yet" in not_yet.json()["detail"]
    assert (await api.post(f"{url}/no_such_item/sign", headers=coordinator)).status_code == 404
    assert (
        await api.post(f"{url}/billing_runs_done/sign", headers=auth(Role.SALES))
    ).status_code == 403
    for key in ITEMS[:-1]:
        signed = await api.post(f"{url}/{key}/sign", json={"note": "done"}, headers=coordinator)
        assert signed.status_code == 200, signed.text
    await _reconcile(api, auth)
    last = await api.post(f"{url}/reconciliation_signed/sign", headers=coordinator)
    assert last.json()["complete"] is True
    assert {i["signed_by"] for i in last.json()["items"]} == {"cody"}

    closed = await api.post(f"/v1/periods/{PERIOD}/close", headers=supervisor)
    assert closed.status_code == 201, closed.text
    at_close = closed.json()
    assert (at_close["override_reason"], at_close["incomplete_items"]) == (None, [])
    [kpis] = at_close["kpi_snapshot"]
    assert (kpis["period"], kpis["currency"], kpis["credit_sales"]) == (PERIOD, "USD", "1200.00")
    assert (await api.post(f"{url}/billing_runs_done/sign", headers=coordinator)).status_code == 409

    report = f"/v1/periods/{PERIOD}"
    before = (await api.get(report, headers=auth(Role.AUDITOR))).json()
    assert before["changed_since_close"] is False and before["arrived_since_close"] == []
    # An invoice its service posted before it heard of the close reaches the ledger after it.
    await publish(ledger_bus, books.invoice("50.00", MONTH.last))
    after = (await api.get(report, headers=auth(Role.AUDITOR))).json()
    assert after["as_known_at_close"] == before["as_known_at_close"]
    assert after["as_known_at_close"]["ar_balance"] == {"USD": "1200.00"}
    assert after["changed_since_close"] is True
    assert after["ar_balance_now"] == {"USD": "1250.00"}
    [late] = after["arrived_since_close"]
    assert (late["entry_kind"], Decimal(late["amount"]), late["entry_date"]) == (
        "invoiced",
        50,
        str(MONTH.last),
    )
    live = await api.get("/v1/kpis", params={"period": PERIOD, "trend": 1}, headers=supervisor)
    assert live.json()["months"][0]["credit_sales"] == "1250.00"  # the live figure moves; the
    assert after["as_known_at_close"]["kpi_snapshot"] == at_close["kpi_snapshot"]  # kept does not
    assert (await api.get("/v1/periods/1999-01", headers=supervisor)).status_code == 404

    # Reopened, the month's checklist is signed anew before it closes again.
    reopened = await api.post(
        f"/v1/periods/{PERIOD}/reopen", json={"reason": "late invoice"}, headers=supervisor
    )
    assert reopened.status_code == 200, reopened.text
    anew = (await api.get(url, headers=supervisor)).json()
    assert {i["signed_by"] for i in anew["items"]} == {None} and not anew["complete"]


async def test_a_supervisor_may_close_an_incomplete_month_with_a_reason_that_the_close_keeps(
    api: httpx.AsyncClient, auth: AuthHeaders, ledger_bus: InProcessBus
) -> None:
    await _books(ledger_bus)
    supervisor = auth(Role.AR_SUPERVISOR, subject="sam")
    await api.post(f"/v1/periods/{PERIOD}/checklist/tickets_reviewed/sign", headers=supervisor)
    empty = await api.post(
        f"/v1/periods/{PERIOD}/close", json={"override_reason": ""}, headers=supervisor
    )
    assert empty.status_code == 422
    closed = await api.post(
        f"/v1/periods/{PERIOD}/close",
        json={"override_reason": "auditors on site Monday; reconciliation follows"},
        headers=supervisor,
    )
    assert closed.status_code == 201, closed.text
    assert closed.json()["override_reason"] == "auditors on site Monday; reconciliation follows"
    assert closed.json()["incomplete_items"] == ITEMS[1:]
    [kept] = (await api.get("/v1/periods", headers=supervisor)).json()
    assert kept["incomplete_items"] == ITEMS[1:]
