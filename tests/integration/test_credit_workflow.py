"""Credit on real PostgreSQL and Kafka: customers arrive from the customers service, invoicing
and payments events arrive on their topics, and credit's own events reach customers."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest
import time_machine

from deploy.local_infra import KafkaBroker
from services.credit.commands.holds import place_hold
from services.credit.queries.accounts import get_account
from services.credit.service import definition as credit
from services.customers.service import definition as customers
from shared.auth import Role
from shared.bus.kafka import KafkaBus
from shared.service import Service
from tests.conftest import AuthHeaders
from tests.integration.conftest import StartService, client
from tests.services.credit.conftest import TODAY, TODAY_NOON
from tests.services.credit.feed import Books, publish
from tests.services.credit.test_applications_api import application
from tests.support import eventually, new_customer

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]

RECENT = date(2026, 11, 10)


@pytest.fixture
async def services(
    start_distributed: StartService,
    monkeypatch: pytest.MonkeyPatch,
    time_machine: time_machine.TimeMachineFixture,
) -> dict[str, Service]:
    time_machine.move_to(TODAY_NOON, tick=True)
    monkeypatch.setenv("AR_CREDIT_MANAGER_APPROVAL_LIMIT", "50000")
    return {d.name: (await start_distributed(d))[0] for d in (customers, credit)}


@pytest.fixture
async def producers(kafka_broker: KafkaBroker) -> AsyncIterator[KafkaBus]:
    """Invoicing's and payments' side of Kafka: their catalog events, published as they would."""
    bus = KafkaBus(kafka_broker.bootstrap_servers, client_id="test-producers")
    await bus.start()
    yield bus
    await bus.stop()


class Api:
    def __init__(self, http: httpx.AsyncClient, auth: AuthHeaders) -> None:
        self.http, self.auth = http, auth

    async def __call__(
        self, method: str, path: str, role: Role, subject: str = "tester", **kwargs: Any
    ) -> httpx.Response:
        return await self.http.request(
            method, path, headers=self.auth(role, subject=subject), **kwargs
        )


@pytest.fixture
async def credit_api(services: dict[str, Service], auth: AuthHeaders) -> AsyncIterator[Api]:
    async with client(services["credit"]) as http:
        yield Api(http, auth)


@pytest.fixture
async def customer_id(
    services: dict[str, Service], credit_api: Api, auth: AuthHeaders
) -> uuid.UUID:
    """Registered in the customers service; credit hears of it over Kafka."""
    async with client(services["customers"]) as http:
        response = await http.post(
            "/v1/customers", json=new_customer(), headers=auth(Role.AR_COORDINATOR)
        )
    assert response.status_code == 201, response.text
    created = uuid.UUID(response.json()["id"])

    async def copied() -> bool:
        return (
            await credit_api("get", f"/v1/credit-accounts/{created}", Role.AUDITOR)
        ).status_code == 200

    await eventually(copied, timeout=30)
    return created


async def _customer(services: dict[str, Service], auth: AuthHeaders, customer_id: uuid.UUID) -> Any:
    async with client(services["customers"]) as http:
        return (await http.get(f"/v1/customers/{customer_id}", headers=auth(Role.AUDITOR))).json()


async def _grant_credit(credit_api: Api, customer_id: uuid.UUID, limit: str) -> None:
    line = {"credit_limit": limit, "terms": {"kind": "net", "days": 30}, "reason": "new account"}
    assert (
        await credit_api("put", f"/v1/credit-lines/{customer_id}", Role.CREDIT_MANAGER, json=line)
    ).status_code == 200


async def _exposure(credit_api: Api, customer_id: uuid.UUID) -> Any:
    return (await credit_api("get", f"/v1/exposure/{customer_id}", Role.SALES)).json()


async def test_an_application_approved_by_the_right_role_activates_credit_and_ticks_onboarding(
    services: dict[str, Service], credit_api: Api, auth: AuthHeaders, customer_id: uuid.UUID
) -> None:
    submitted = (
        await credit_api(
            "post",
            "/v1/credit-applications",
            Role.SALES,
            subject="rep",
            json=application(customer_id, requested_limit="80000"),
        )
    ).json()
    path = f"/v1/credit-applications/{submitted['id']}"
    assert (await credit_api("post", f"{path}/review", Role.CREDIT_MANAGER)).status_code == 200
    check = {
        "reference_name": "Basin Supply",
        "contact": "AP",
        "called_on": "2026-11-20",
        "highest_credit": "25000",
        "days_beyond_terms": 4,
        "verified": True,
    }
    recorded = await credit_api("post", f"{path}/reference-checks", Role.CREDIT_MANAGER, json=check)
    assert recorded.status_code == 201
    report = {
        "customer_id": str(customer_id),
        "score": 82,
        "payment_index": 80,
        "reported_on": "2026-11-15",
    }
    assert (
        await credit_api("post", "/v1/bureau-reports", Role.CREDIT_MANAGER, json=report)
    ).status_code == 201

    refused = await credit_api(
        "post", f"{path}/approve", Role.CREDIT_MANAGER, json={"credit_limit": "80000"}
    )
    assert refused.json()["type"] == "urn:ar-platform:problem:over-approval-authority"
    approved = await credit_api(
        "post", f"{path}/approve", Role.AR_SUPERVISOR, subject="sup", json={"credit_limit": "80000"}
    )
    assert approved.json()["status"] == "approved", approved.text

    async def ticked() -> bool:
        onboarding = (await _customer(services, auth, customer_id))["onboarding"]
        return {i["item"]: i["status"] for i in onboarding}["credit_application"] == "received"

    await eventually(ticked, timeout=30)
    score = (
        await credit_api("get", f"/v1/credit-scores/{customer_id}", Role.CREDIT_MANAGER)
    ).json()
    points = {f["name"]: f["points"] for f in score["factors"]}
    assert (points["bureau_score"], points["trade_references"]) == (20, 5)
    assert score["moved_by"][0]["name"] == "bureau_score"


async def test_exposure_holds_when_over_the_limit_and_releases_when_a_payment_cures_it(
    services: dict[str, Service],
    credit_api: Api,
    producers: KafkaBus,
    auth: AuthHeaders,
    customer_id: uuid.UUID,
) -> None:
    await _grant_credit(credit_api, customer_id, "10000")
    books = Books(customer_id)
    ticket = books.ticket("2500.00")
    first = books.invoice("6000.00", RECENT)
    await publish(producers, ticket, first)

    async def exposure() -> Any:
        return await _exposure(credit_api, customer_id)

    async def seen(total: str) -> Any:
        async def reached() -> Any:
            now = await exposure()
            return now if Decimal(now["total"]) == Decimal(total) else None

        return await eventually(reached, timeout=30)

    now = await seen("8500.00")
    assert (Decimal(now["open_ar"]), Decimal(now["unbilled_tickets"])) == (6000, 2500)
    assert now["on_hold"] is False

    order = {"customer_id": str(customer_id), "amount": "1000.00"}
    approved = (await credit_api("post", "/v1/authorizations", Role.SALES, json=order)).json()
    assert (approved["approved"], approved["reasons"]) == (True, [])
    declined = (await credit_api("post", "/v1/authorizations", Role.SALES, json=order)).json()
    assert [(r["code"], Decimal(r["amount"])) for r in declined["reasons"]] == [("over_limit", 500)]

    await publish(
        producers, books.invoice("2500.00", RECENT, tickets=[ticket]), books.ticket("1200.00")
    )
    now = await seen("10700.00")
    assert now["on_hold"] is True

    async def customer_held() -> bool:
        return bool((await _customer(services, auth, customer_id))["credit_hold"])

    await eventually(customer_held, timeout=30)
    on_hold = (await credit_api("post", "/v1/authorizations", Role.SALES, json=order)).json()
    assert [r["code"] for r in on_hold["reasons"]] == ["on_hold", "over_limit"]

    await publish(producers, *books.pay(first, "6000.00", TODAY))
    now = await seen("4700.00")
    assert now["on_hold"] is False

    async def customer_released() -> bool:
        return not (await _customer(services, auth, customer_id))["credit_hold"]

    await eventually(customer_released, timeout=30)


async def test_concurrent_authorizations_never_approve_past_the_limit(
    credit_api: Api, producers: KafkaBus, customer_id: uuid.UUID
) -> None:
    """Each answer locks the customer and reads its exposure inside one transaction, so orders
    asked for at the same moment queue: with 4,000 of room, 4 of 12 orders of 1,000 go ahead."""
    await _grant_credit(credit_api, customer_id, "10000")
    await publish(producers, Books(customer_id).invoice("6000.00", RECENT))

    async def exposure() -> Decimal:
        return Decimal((await _exposure(credit_api, customer_id))["total"])

    async def invoiced() -> bool:
        return await exposure() == 6000

    await eventually(invoiced, timeout=30)
    order = {"customer_id": str(customer_id), "amount": "1000.00"}
    answers = await asyncio.gather(
        *(credit_api("post", "/v1/authorizations", Role.SALES, json=order) for _ in range(12))
    )
    assert [a.status_code for a in answers] == [201] * 12
    assert sum(a.json()["approved"] for a in answers) == 4
    assert await exposure() == Decimal(10000)


async def test_an_order_asked_while_a_hold_is_being_placed_sees_the_hold(
    services: dict[str, Service], credit_api: Api, customer_id: uuid.UUID
) -> None:
    """The answer waits for the customer's lock and reads the position after it: a hold placed
    by the transaction it waited for is among its reasons."""
    await _grant_credit(credit_api, customer_id, "10000")
    order = {"customer_id": str(customer_id), "amount": "100.00"}
    async with services["credit"].db.transaction() as session:
        await get_account(session, customer_id, lock=True)
        place_hold(session, customer_id, ["checks returned"], None)
        await session.flush()
        asked = asyncio.create_task(
            credit_api("post", "/v1/authorizations", Role.SALES, json=order)
        )
        await asyncio.sleep(0.5)  # the answer is now waiting for the lock
        assert not asked.done()
    answer = (await asked).json()
    assert [r["code"] for r in answer["reasons"]] == ["on_hold"]
