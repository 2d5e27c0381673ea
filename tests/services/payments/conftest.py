"""The payments service on SQLite and an in-process bus, a payer it knows, and what it publishes."""

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.payments.service import definition as payments
from shared.auth import Role, TokenAuthority
from shared.bus import InProcessBus
from shared.events.catalog import topic_for
from shared.events.customers import CustomerRegistered, CustomerSnapshot
from shared.events.envelope import EventEnvelope
from shared.settings import PlatformSettings
from tests.conftest import AuthHeaders
from tests.services.customer_events import customer, deliver, service_api

PAYMENTS_TOPIC = topic_for("payments")


@pytest.fixture
def bus() -> InProcessBus:
    return InProcessBus()


@pytest.fixture
async def api(
    tmp_path: Path, platform: PlatformSettings, tokens: TokenAuthority, bus: InProcessBus
) -> AsyncIterator[httpx.AsyncClient]:
    async with service_api(payments, tmp_path, platform, tokens, bus) as client:
        yield client


@pytest.fixture
async def acme(api: httpx.AsyncClient, bus: InProcessBus) -> CustomerSnapshot:
    """A customer payments has heard of: account C000001, "Permian Basin Services LLC",
    DBA "PBS"."""
    snapshot = customer()
    await deliver(bus, CustomerRegistered(customer=snapshot))
    return snapshot


@pytest.fixture
async def other_customer(api: httpx.AsyncClient, bus: InProcessBus) -> CustomerSnapshot:
    snapshot = customer(account_number="C000002", legal_name="Eagle Ford Hauling Inc", dba=None)
    await deliver(bus, CustomerRegistered(customer=snapshot))
    return snapshot


Published = Callable[..., list[EventEnvelope]]


@pytest.fixture
def published(bus: InProcessBus) -> Published:
    """`published("payment.applied")`: the events payments has relayed so far, of that type."""

    def of_type(event_type: str | None = None) -> list[EventEnvelope]:
        envelopes = [EventEnvelope.from_bytes(m.value) for m in bus.retained[PAYMENTS_TOPIC]]
        return [e for e in envelopes if event_type is None or e.type == event_type]

    return of_type


def payment_body(customer_id: Any = None, amount: str = "100.00", **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "customer_id": str(customer_id) if customer_id else None,
        "method": "check",
        "amount": amount,
        "currency": "USD",
        "received_on": "2026-11-05",
        "reference": "CHK-1001",
    }
    return body | changes


async def post_payment(
    api: httpx.AsyncClient, auth: AuthHeaders, body: dict[str, Any]
) -> dict[str, Any]:
    response = await api.post("/v1/payments", json=body, headers=auth(Role.AR_COORDINATOR))
    assert response.status_code == 201, response.text
    return response.json()
