"""POST /v1/authorizations: the sales system's question, answered from credit's own data."""

import uuid
from datetime import date
from typing import Any

import httpx
import pytest

from shared.auth import Role
from shared.bus import InProcessBus
from tests.conftest import AuthHeaders
from tests.services.credit.conftest import Call, body
from tests.services.credit.feed import Books, publish
from tests.services.credit.test_exposure_and_holds import RECENT, _exposure, _limit

AUTHORIZE = "/v1/authorizations"


@pytest.fixture
async def books(call: Call, customer_id: uuid.UUID) -> Books:
    """A customer with a 10,000 limit."""
    await _limit(call, customer_id, "10000")
    return Books(customer_id)


async def _ask(call: Call, customer_id: uuid.UUID, amount: str, **extra: str) -> Any:
    order = {"customer_id": str(customer_id), "amount": amount, **extra}
    return body(await call("post", AUTHORIZE, Role.SALES, json=order), 201)


async def test_an_order_within_the_limit_is_approved_and_counts_in_exposure(
    call: Call, books: Books, customer_id: uuid.UUID
) -> None:
    answer = await _ask(call, customer_id, "4000.00", order_ref="T-7001")
    assert (answer["approved"], answer["reasons"], answer["exposure"]) == (True, [], "0.00")
    assert answer["expires_on"] == "2026-12-23"
    seen = await _exposure(call, customer_id)
    assert (seen["authorized_orders"], seen["available"]) == ("4000.00", "6000.00")


async def test_an_order_over_the_limit_is_declined_saying_by_how_much(
    call: Call, bus: InProcessBus, books: Books, customer_id: uuid.UUID
) -> None:
    await publish(bus, books.invoice("7000.00", RECENT))
    answer = await _ask(call, customer_id, "3500.00")
    assert answer["approved"] is False
    [reason] = answer["reasons"]
    assert (reason["code"], reason["amount"]) == ("over_limit", "500.00")
    assert (await _exposure(call, customer_id))["authorized_orders"] == "0.00"


async def test_a_customer_on_hold_and_past_due_is_declined_with_both_reasons(
    call: Call, bus: InProcessBus, books: Books, customer_id: uuid.UUID
) -> None:
    await publish(bus, books.invoice("100.00", date(2026, 8, 1)))  # 84 days past due: held
    answer = await _ask(call, customer_id, "10.00")
    assert [r["code"] for r in answer["reasons"]] == ["on_hold", "past_due"]
    assert answer["reasons"][1]["days"] == 84


async def test_a_customer_without_approved_credit_is_declined(
    call: Call, customer_id: uuid.UUID
) -> None:
    answer = await _ask(call, customer_id, "10.00")
    assert [r["code"] for r in answer["reasons"]] == ["no_active_credit"]


async def test_the_closed_ticket_replaces_its_authorization_in_exposure(
    call: Call, bus: InProcessBus, books: Books, customer_id: uuid.UUID
) -> None:
    await _ask(call, customer_id, "4000.00", order_ref="T-7001")
    await publish(bus, books.ticket("3800.00", number="T-7001"))
    seen = await _exposure(call, customer_id)
    assert (seen["authorized_orders"], seen["unbilled_tickets"]) == ("0.00", "3800.00")


async def test_bad_questions_are_problems(call: Call, books: Books, customer_id: uuid.UUID) -> None:
    negative = await call(
        "post", AUTHORIZE, Role.SALES, json={"customer_id": str(customer_id), "amount": "-1"}
    )
    assert [e["field"] for e in negative.json()["errors"]] == ["body.amount"]
    unknown = await call(
        "post", AUTHORIZE, Role.SALES, json={"customer_id": str(uuid.uuid4()), "amount": "1"}
    )
    assert unknown.status_code == 404
    auditor = await call(
        "post", AUTHORIZE, Role.AUDITOR, json={"customer_id": str(customer_id), "amount": "1"}
    )
    assert auditor.status_code == 403


async def test_a_retried_question_with_the_same_key_counts_once(
    call: Call, api: httpx.AsyncClient, auth: AuthHeaders, books: Books, customer_id: uuid.UUID
) -> None:
    order = {"customer_id": str(customer_id), "amount": "4000.00"}
    # One token for both: a key belongs to the credentials it was first used with.
    headers = auth(Role.SALES) | {"Idempotency-Key": "order-7001"}
    first = body(await api.post(AUTHORIZE, json=order, headers=headers), 201)
    again = await api.post(AUTHORIZE, json=order, headers=headers)
    assert again.headers["idempotent-replayed"] == "true" and again.json() == first
    assert (await _exposure(call, customer_id))["authorized_orders"] == "4000.00"
