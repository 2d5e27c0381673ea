"""A request may post on a business date other than the calendar's (X-Business-Date), within
the platform's backdating window: e.g. keep posting on the 31st until the day's work is done."""

from datetime import datetime
from typing import Any

import httpx
import pytest
import time_machine

from shared.auth import Role
from shared.clock import BUSINESS_DATE_HEADER, DEFAULT_TIME_ZONE, time_zone
from shared.events.customers import CustomerSnapshot
from tests.conftest import AuthHeaders

pytestmark = pytest.mark.usefixtures("taxed")

# 00:30 on 1 December in Texas (already 06:30 UTC): the team still posts November's work.
NOW = datetime(2026, 12, 1, 0, 30, tzinfo=time_zone(DEFAULT_TIME_ZONE))
LINE = {
    "description": "Site survey",
    "quantity": "1",
    "unit": "ea",
    "unit_price": "200.00",
    "taxability": "labor",
    "service_line": "services",
}


@pytest.fixture(autouse=True)
def just_after_midnight(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(NOW)


async def _draft(
    api: httpx.AsyncClient, auth: AuthHeaders, customer: CustomerSnapshot, **headers: str
) -> httpx.Response:
    return await api.post(
        "/v1/invoices",
        json={"customer_id": str(customer.id), "lines": [LINE]},
        headers=auth(Role.AR_COORDINATOR) | headers,
    )


async def test_an_invoice_issued_on_a_business_date_carries_that_date(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot
) -> None:
    on_the_30th = {BUSINESS_DATE_HEADER: "2026-11-30"}
    draft = await _draft(api, auth, acme, **on_the_30th)
    assert draft.status_code == 201, draft.text
    issued = await api.post(
        f"/v1/invoices/{draft.json()['id']}/issue", headers=auth(Role.AR_COORDINATOR) | on_the_30th
    )
    assert issued.status_code == 200, issued.text
    assert (issued.json()["invoice_date"], issued.json()["number"]) == (
        "2026-11-30",
        "INV-2026-000001",
    )
    # Without the header the business date is the calendar date in the company's zone.
    plain = await _draft(api, auth, acme)
    assert plain.json()["invoice_date"] == "2026-12-01"


async def test_the_window_is_the_calendar_date_back_to_the_backdating_limit(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot
) -> None:
    earliest = await _draft(api, auth, acme, **{BUSINESS_DATE_HEADER: "2026-11-28"})
    assert earliest.status_code == 201, earliest.text
    assert earliest.json()["invoice_date"] == "2026-11-28"


@pytest.mark.parametrize(
    "day",
    [
        "2026-12-02",  # the future
        "2026-11-27",  # four days back: the window is three
        "30/11/2026",  # not a date
    ],
)
async def test_a_business_date_outside_the_window_or_malformed_is_a_422_on_the_header(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot, day: str
) -> None:
    response = await _draft(api, auth, acme, **{BUSINESS_DATE_HEADER: day})
    assert response.status_code == 422, response.text
    problem: dict[str, Any] = response.json()
    assert problem["type"].endswith("validation-error")
    assert [error["field"] for error in problem["errors"]] == [f"header.{BUSINESS_DATE_HEADER}"]
    assert (await api.get("/v1/invoices", headers=auth(Role.AUDITOR))).json()["items"] == []


async def test_every_route_documents_the_header(api: httpx.AsyncClient) -> None:
    document = (await api.get("/openapi.json")).json()
    operations = [
        operation
        for path, item in document["paths"].items()
        if path.startswith("/v1/")
        for operation in item.values()
    ]
    assert operations
    for operation in operations:
        assert BUSINESS_DATE_HEADER in {p["name"] for p in operation.get("parameters", [])}
