"""The customers service reflecting credit's decisions it receives as events: an approved
application ticks the onboarding checklist, a hold shows on the customer master, and the terms
and limit credit approves become the customer's."""

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.customers.service import definition as customers
from shared.auth import Role, TokenAuthority
from shared.bus import BusMessage, InProcessBus
from shared.events.envelope import EventEnvelope
from shared.settings import PlatformSettings
from tests.conftest import AuthHeaders
from tests.services.credit.conftest import Call, body
from tests.services.credit.test_applications_api import APPLICATIONS, application
from tests.services.customer_events import once_copied, service_api
from tests.support import eventually, new_customer


@pytest.fixture
async def customers_api(
    tmp_path: Path, platform: PlatformSettings, tokens: TokenAuthority, bus: InProcessBus
) -> AsyncIterator[httpx.AsyncClient]:
    async with service_api(customers, tmp_path / "customers", platform, tokens, bus) as client:
        yield client


async def _registered(
    customers_api: httpx.AsyncClient, api: httpx.AsyncClient, auth: AuthHeaders
) -> uuid.UUID:
    created = body(
        await customers_api.post(
            "/v1/customers", json=new_customer(), headers=auth(Role.AR_COORDINATOR)
        ),
        201,
    )
    await once_copied(api, f"/v1/credit-accounts/{created['id']}", auth(Role.AUDITOR))
    return uuid.UUID(created["id"])


async def _customer(
    customers_api: httpx.AsyncClient, auth: AuthHeaders, customer_id: uuid.UUID
) -> Any:
    return body(
        await customers_api.get(f"/v1/customers/{customer_id}", headers=auth(Role.AUDITOR)), 200
    )


async def test_approved_application_ticks_the_credit_application_onboarding_item(
    customers_api: httpx.AsyncClient, api: httpx.AsyncClient, auth: AuthHeaders, call: Call
) -> None:
    customer_id = await _registered(customers_api, api, auth)
    submitted = body(
        await call(
            "post", APPLICATIONS, Role.SALES, subject="rep-jones", json=application(customer_id)
        ),
        201,
    )
    await call("post", f"{APPLICATIONS}/{submitted['id']}/review", Role.CREDIT_MANAGER)
    body(
        await call(
            "post",
            f"{APPLICATIONS}/{submitted['id']}/approve",
            Role.CREDIT_MANAGER,
            json={"credit_limit": "20000"},
        ),
        200,
    )

    async def ticked() -> bool:
        onboarding = (await _customer(customers_api, auth, customer_id))["onboarding"]
        return {i["item"]: i["status"] for i in onboarding}["credit_application"] == "received"

    await eventually(ticked)
    history = body(
        await customers_api.get(f"/v1/customers/{customer_id}/history", headers=auth(Role.AUDITOR)),
        200,
    )
    assert history[-1]["action"] == "onboarding_updated"
    assert "approved" in history[-1]["reason"]


async def test_a_hold_placed_in_credit_shows_on_the_customer_master(
    customers_api: httpx.AsyncClient, api: httpx.AsyncClient, auth: AuthHeaders, call: Call
) -> None:
    customer_id = await _registered(customers_api, api, auth)
    body(
        await call(
            "post",
            "/v1/credit-holds",
            Role.CREDIT_MANAGER,
            json={"customer_id": str(customer_id), "reason": "bankruptcy filing"},
        ),
        201,
    )

    async def held() -> bool:
        return bool((await _customer(customers_api, auth, customer_id))["credit_hold"])

    await eventually(held)


async def test_terms_and_limit_set_in_credit_reach_the_customer_record_and_its_event(
    customers_api: httpx.AsyncClient,
    api: httpx.AsyncClient,
    auth: AuthHeaders,
    call: Call,
    bus: InProcessBus,
) -> None:
    customer_id = await _registered(customers_api, api, auth)
    seen: list[EventEnvelope] = []

    async def spy(message: BusMessage) -> None:
        seen.append(EventEnvelope.from_bytes(message.value))

    bus.subscribe("spy", ["ar.customers.v1"], spy)
    line = {
        "credit_limit": "25000",
        "terms": {"kind": "net", "days": 45},
        "reason": "annual review",
        "review_on": "2027-06-30",
    }
    path = f"/v1/credit-lines/{customer_id}"
    body(await call("put", path, Role.CREDIT_MANAGER, subject="cm-ruiz", json=line), 200)

    async def on_record() -> Any:
        customer = await _customer(customers_api, auth, customer_id)
        return customer if customer["credit_line"] else None

    customer = await eventually(on_record)
    assert customer["payment_terms"] == {
        "kind": "net",
        "days": 45,
        "discount_percent": None,
        "discount_days": None,
    }
    assert customer["credit_line"] == {
        "credit_limit": "25000.00",
        "currency": "USD",
        "review_on": "2027-06-30",
        "approved_by": "cm-ruiz",
    }
    history = body(
        await customers_api.get(f"/v1/customers/{customer_id}/history", headers=auth(Role.AUDITOR)),
        200,
    )
    assert (history[-1]["action"], history[-1]["actor"]) == ("credit_line_changed", "system")
    assert history[-1]["reason"] == "credit.limit_changed: annual review (approved by cm-ruiz)"
    assert history[-1]["changes"]["payment_terms"]["to"]["days"] == 45

    async def published() -> Any:
        updates = [e for e in seen if e.type == "customer.updated"]
        return updates[-1] if updates else None

    update = await eventually(published)
    assert update.payload["customer"]["payment_terms"]["days"] == 45
    assert update.payload["changed"] == ["credit_line", "payment_terms"]
