"""A month collections closed binds invoicing: an invoice, a credit memo, a void or an import
dated inside it is a 409 naming the month and who closed it, even on a business date named by
the request; once the month is reopened the same document posts."""

from datetime import datetime
from typing import Any

import httpx
import pytest
import time_machine

from shared.auth import Role
from shared.bus import InProcessBus
from shared.clock import BUSINESS_DATE_HEADER, DEFAULT_TIME_ZONE, time_zone
from shared.events.customers import CustomerSnapshot
from tests.conftest import AuthHeaders
from tests.services.periods import SUPERVISOR, close_month, reopen_month

pytestmark = pytest.mark.usefixtures("early_november", "taxed")

INVOICES = "/v1/invoices"
IN_OCTOBER = {BUSINESS_DATE_HEADER: "2026-10-31"}
LINE = {
    "description": "Site survey",
    "quantity": "1",
    "unit": "ea",
    "unit_price": "200.00",
    "taxability": "labor",
    "service_line": "services",
}


@pytest.fixture
def early_november(time_machine: time_machine.TimeMachineFixture) -> None:
    """2 November: October is closed, and a business date may still name its last day."""
    time_machine.move_to(datetime(2026, 11, 2, 10, tzinfo=time_zone(DEFAULT_TIME_ZONE)))


def _refused_for_october(response: httpx.Response) -> None:
    assert response.status_code == 409, response.text
    problem = response.json()
    assert (problem["period"], problem["closed_by"]) == ("2026-10", SUPERVISOR)
    assert "2026-10" in problem["detail"] and SUPERVISOR in problem["detail"]


async def _draft(
    api: httpx.AsyncClient, auth: AuthHeaders, customer: CustomerSnapshot, invoice_date: str
) -> dict[str, Any]:
    body = {"customer_id": str(customer.id), "invoice_date": invoice_date, "lines": [LINE]}
    response = await api.post(INVOICES, json=body, headers=auth(Role.AR_COORDINATOR))
    assert response.status_code == 201, response.text
    return response.json()


async def _issue(
    api: httpx.AsyncClient, auth: AuthHeaders, draft: dict[str, Any]
) -> httpx.Response:
    return await api.post(f"{INVOICES}/{draft['id']}/issue", headers=auth(Role.AR_COORDINATOR))


async def test_an_invoice_dated_in_a_closed_month_is_refused_until_it_reopens(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot, bus: InProcessBus
) -> None:
    draft = await _draft(api, auth, acme, "2026-10-30")
    await close_month(bus, "2026-10", datetime(2026, 10, 31).date())
    _refused_for_october(await _issue(api, auth, draft))
    still = (await api.get(f"{INVOICES}/{draft['id']}", headers=auth(Role.AUDITOR))).json()
    assert (still["status"], still["number"]) == ("draft", None)  # nothing half-written
    # November is open.
    assert (await _issue(api, auth, await _draft(api, auth, acme, "2026-11-01"))).status_code == 200

    await reopen_month(bus, "2026-10")
    issued = await _issue(api, auth, draft)
    assert issued.status_code == 200, issued.text
    assert issued.json()["invoice_date"] == "2026-10-30"


async def test_a_credit_memo_or_void_on_a_business_date_in_a_closed_month_is_refused(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot, bus: InProcessBus
) -> None:
    invoice = (await _issue(api, auth, await _draft(api, auth, acme, "2026-11-01"))).json()
    await close_month(bus, "2026-10", datetime(2026, 10, 31).date())
    memo = {
        "invoice_id": invoice["id"],
        "reason_code": "pricing",
        "lines": [{"line": 1, "quantity": "1"}],
    }
    headers = auth(Role.AR_COORDINATOR)
    _refused_for_october(
        await api.post("/v1/credit-memos", json=memo, headers=headers | IN_OCTOBER)
    )
    void = {"reason": "sent to the wrong customer"}
    _refused_for_october(
        await api.post(f"{INVOICES}/{invoice['id']}/void", json=void, headers=headers | IN_OCTOBER)
    )
    # On today's business date both post.
    voided = await api.post(f"{INVOICES}/{invoice['id']}/void", json=void, headers=headers)
    assert voided.status_code == 200, voided.text
    other = (await _issue(api, auth, await _draft(api, auth, acme, "2026-11-02"))).json()
    credited = await api.post(
        "/v1/credit-memos", json=memo | {"invoice_id": other["id"]}, headers=headers
    )
    assert credited.status_code == 201, credited.text


async def test_a_legacy_invoice_dated_in_a_closed_month_is_not_imported(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot, bus: InProcessBus
) -> None:
    legacy = {
        "number": "L-1001",
        "customer_id": str(acme.id),
        "invoice_date": "2026-10-15",
        "lines": [
            {"description": "Old work", "quantity": "1", "unit": "ea", "unit_price": "500"}
            | {"amount": "500.00"}
        ],
        "total": "500.00",
    }
    await close_month(bus, "2026-10", datetime(2026, 10, 31).date())
    body = {"invoices": [legacy]}
    headers = auth(Role.AR_COORDINATOR)
    _refused_for_october(await api.post(f"{INVOICES}/import", json=body, headers=headers))
    await reopen_month(bus, "2026-10")
    imported = await api.post(f"{INVOICES}/import", json=body, headers=headers)
    assert imported.status_code == 201, imported.text
