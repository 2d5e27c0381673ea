"""A close that binds every poster, on real PostgreSQL and Kafka with the five services: once
collections closes a month, invoicing refuses an invoice and payments a payment dated in it; once
a supervisor reopens it, both post again."""

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest

from shared.auth import Role
from shared.clock import Clock
from shared.service import Service
from tests.conftest import AuthHeaders
from tests.integration.conftest import client
from tests.services.invoicing.conftest import set_up_tax
from tests.support import eventually, new_customer

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]

LINE = {
    "description": "Site survey",
    "quantity": "1",
    "unit": "ea",
    "unit_price": "200.00",
    "taxability": "labor",
    "service_line": "services",
}


async def _until(status: int, attempt: Callable[[], Awaitable[httpx.Response]]) -> httpx.Response:
    """`attempt()` repeated until it answers `status`: the close travels through Kafka."""

    async def answered() -> httpx.Response | None:
        response = await attempt()
        return response if response.status_code == status else None

    answered.__name__ = f"answered_{status}"
    return await eventually(answered, timeout=30)


async def test_a_month_closed_in_collections_is_refused_by_invoicing_and_payments_until_reopened(
    all_services: dict[str, Service], auth: AuthHeaders
) -> None:
    customers, invoicing = all_services["customers"], all_services["invoicing"]
    payments, collections = all_services["payments"], all_services["collections"]
    month_end = Clock().today().replace(day=1) - timedelta(days=1)
    period = f"{month_end:%Y-%m}"
    staff, supervisor = auth(Role.AR_COORDINATOR), auth(Role.AR_SUPERVISOR, subject="sam")
    async with client(customers) as http:
        created = await http.post("/v1/customers", json=new_customer(), headers=staff)
        assert created.status_code == 201, created.text
    customer_id = created.json()["id"]

    async with client(invoicing) as inv, client(payments) as pay, client(collections) as col:
        await set_up_tax(inv, auth)
        for api, path in ((inv, "/v1/billing-accounts/"), (pay, "/v1/payers/")):
            await _until(200, lambda api=api, path=path: api.get(path + customer_id, headers=staff))

        async def invoice_in_the_month() -> httpx.Response:
            body = {"customer_id": customer_id, "invoice_date": str(month_end), "lines": [LINE]}
            draft = await inv.post("/v1/invoices", json=body, headers=staff)
            assert draft.status_code == 201, draft.text
            return await inv.post(f"/v1/invoices/{draft.json()['id']}/issue", headers=staff)

        async def payment_in_the_month() -> httpx.Response:
            body: dict[str, Any] = {
                "customer_id": customer_id,
                "method": "check",
                "amount": "100.00",
                "currency": "USD",
                "received_on": str(month_end),
            }
            return await pay.post("/v1/payments", json=body, headers=staff)

        closed = await col.post(
            f"/v1/periods/{period}/close",
            json={"override_reason": "the checklist is not this test's subject"},
            headers=supervisor,
        )
        assert closed.status_code == 201, closed.text
        for refused in (
            await _until(409, invoice_in_the_month),
            await _until(409, payment_in_the_month),
        ):
            assert (refused.json()["period"], refused.json()["closed_by"]) == (period, "sam")

        reopened = await col.post(
            f"/v1/periods/{period}/reopen", json={"reason": "late rebill"}, headers=supervisor
        )
        assert reopened.status_code == 200, reopened.text
        issued = await _until(200, invoice_in_the_month)
        assert issued.json()["invoice_date"] == str(month_end)
        await _until(201, payment_in_the_month)
