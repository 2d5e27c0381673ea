"""A typed payment: the same check entered twice is a 409 naming the first (unless the request
says it is a second payment), by the same rule as bank-file duplicates; a received date beyond
the tolerance ahead is a 422, for a deposit too."""

from datetime import datetime

import httpx
import pytest
import time_machine

from shared.auth import Role
from shared.clock import DEFAULT_TIME_ZONE, time_zone
from shared.events.customers import CustomerSnapshot
from tests.conftest import AuthHeaders
from tests.services.payments.conftest import payment_body, post_payment


@pytest.fixture(autouse=True)
def mid_november(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(datetime(2026, 11, 10, 10, tzinfo=time_zone(DEFAULT_TIME_ZONE)))


def _check(customer: CustomerSnapshot, **changes: str | bool) -> dict[str, object]:
    return payment_body(customer.id, "1468.75", reference="5001", **changes)


async def _post(api: httpx.AsyncClient, auth: AuthHeaders, body: object) -> httpx.Response:
    return await _post_to(api, auth, "/v1/payments", body)


async def test_the_same_check_entered_twice_is_refused_naming_the_first(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot
) -> None:
    first = await post_payment(api, auth, _check(acme))

    again = await _post(api, auth, _check(acme, received_on="2026-11-06"))

    assert again.status_code == 409, again.text
    assert again.json()["type"] == "urn:ar-platform:problem:probable-duplicate-payment"
    assert again.json()["earlier_payment_id"] == first["id"]
    assert first["id"] in again.json()["detail"]
    listed = (await api.get("/v1/payments", headers=auth(Role.AUDITOR))).json()["items"]
    assert [p["id"] for p in listed] == [first["id"]]


async def test_a_second_payment_said_to_be_one_is_recorded(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot
) -> None:
    await post_payment(api, auth, _check(acme))

    second = await _post(api, auth, _check(acme, second_payment=True))

    assert second.status_code == 201, second.text


@pytest.mark.parametrize(
    "changes",
    [
        {"amount": "1468.76"},
        {"reference": "5002"},
        {"received_on": "2026-10-20"},  # outside the window: a check sent again months on
        {"customer_id": None, "payer_name": "Eagle Ford Hauling Inc"},
    ],
)
async def test_another_amount_check_date_or_payer_is_another_payment(
    api: httpx.AsyncClient,
    auth: AuthHeaders,
    acme: CustomerSnapshot,
    other_customer: CustomerSnapshot,
    changes: dict[str, object],
) -> None:
    await post_payment(api, auth, _check(acme) | {"payer_name": "Permian Basin Services LLC"})

    response = await _post(api, auth, _check(acme) | changes)

    assert response.status_code == 201, response.text


@pytest.mark.parametrize("received_on", ["2030-01-01", "2026-11-14"])
async def test_a_received_date_beyond_the_tolerance_ahead_is_a_422(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot, received_on: str
) -> None:
    response = await _post(api, auth, _check(acme, received_on=received_on))

    assert response.status_code == 422, response.text
    assert response.json()["type"] == "urn:ar-platform:problem:date-too-far-ahead"
    assert f"received_on {received_on} is after 2026-11-13" in response.json()["detail"]


async def test_a_received_date_within_the_tolerance_ahead_is_recorded(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot
) -> None:
    await post_payment(api, auth, _check(acme, received_on="2026-11-13"))


async def test_a_deposit_dated_beyond_the_tolerance_ahead_is_a_422(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot
) -> None:
    deposit = {
        "customer_id": str(acme.id),
        "method": "check",
        "amount": "500.00",
        "currency": "USD",
        "received_on": "2030-01-01",
        "ticket_number": "T-1",
    }

    response = await _post_to(api, auth, "/v1/deposits", deposit)

    assert response.status_code == 422, response.text
    assert "received_on 2030-01-01 is after 2026-11-13" in response.json()["detail"]


async def _post_to(
    api: httpx.AsyncClient, auth: AuthHeaders, path: str, body: object
) -> httpx.Response:
    return await api.post(path, json=body, headers=auth(Role.AR_COORDINATOR))
