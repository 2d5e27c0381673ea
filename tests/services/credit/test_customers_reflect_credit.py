"""The customers service reflecting credit's decisions it receives as events: an approved
application ticks the onboarding checklist, and a hold shows on the customer master."""

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.customers.service import definition as customers
from shared.auth import Role, TokenAuthority
from shared.bus import InProcessBus
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
