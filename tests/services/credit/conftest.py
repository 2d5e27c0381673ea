"""The credit service on SQLite and an in-process bus, on a fixed "today", and its customers."""

import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import httpx
import pytest
import time_machine

from services.credit.service import definition
from shared.auth import Role, TokenAuthority
from shared.bus import InProcessBus
from shared.clock import DEFAULT_TIME_ZONE, time_zone
from shared.events.catalog import dead_letter_topic, topic_for
from shared.events.customers import CustomerRegistered
from shared.events.envelope import EventEnvelope
from shared.service import Service
from shared.settings import PlatformSettings
from tests.conftest import AuthHeaders
from tests.services.customer_events import customer, deliver
from tests.support import eventually, running_service

TODAY = date(2026, 11, 23)
# Midday in the company's zone: the business date is TODAY however the clock ticks in a test.
TODAY_NOON = datetime.combine(TODAY, time(12), tzinfo=time_zone(DEFAULT_TIME_ZONE))
MANAGER_LIMIT = "50000"
SECOND_APPROVAL_ABOVE = "40000"
HOLD_DAYS = 60
CREDIT_TOPIC = topic_for("credit")


@pytest.fixture
def credit_policy(
    monkeypatch: pytest.MonkeyPatch, time_machine: time_machine.TimeMachineFixture
) -> None:
    """The policy the tests are written against, on TODAY, so they never age."""
    time_machine.move_to(TODAY_NOON, tick=True)
    for name, value in {
        "MANAGER_APPROVAL_LIMIT": MANAGER_LIMIT,
        "SECOND_APPROVAL_ABOVE": SECOND_APPROVAL_ABOVE,
        "HOLD_DAYS_PAST_DUE": str(HOLD_DAYS),
        "BUREAU_REPORT_MAX_AGE_DAYS": "180",
        "REVIEW_WINDOW_DAYS": "30",
        "HOLD_SWEEP_INTERVAL_SECONDS": "0.05",
    }.items():
        monkeypatch.setenv(f"AR_CREDIT_{name}", value)


@pytest.fixture
def bus() -> InProcessBus:
    return InProcessBus()


@pytest.fixture
async def credit(
    tmp_path: Path,
    platform: PlatformSettings,
    tokens: TokenAuthority,
    bus: InProcessBus,
    credit_policy: None,
) -> AsyncIterator[Service]:
    async with running_service(definition, tmp_path, platform, tokens, bus) as service:
        yield service


@pytest.fixture
async def api(credit: Service) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=credit.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


@pytest.fixture
async def customer_id(bus: InProcessBus) -> uuid.UUID:
    """A customer credit has heard of from the customers service."""
    acme = customer()
    await deliver(bus, CustomerRegistered(customer=acme))
    return acme.id


def published(bus: InProcessBus, event_type: str) -> list[dict[str, Any]]:
    """Payloads of the credit events of `event_type` the relay has put on the bus so far."""
    assert not bus.retained[dead_letter_topic(topic_for("invoicing"))], "dead-lettered"
    envelopes = [EventEnvelope.from_bytes(m.value) for m in bus.retained[CREDIT_TOPIC]]
    return [e.payload for e in envelopes if e.type == event_type]


async def published_eventually(
    bus: InProcessBus, event_type: str, count: int = 1
) -> list[dict[str, Any]]:
    async def relayed() -> list[dict[str, Any]] | None:
        payloads = published(bus, event_type)
        return payloads if len(payloads) >= count else None

    return await eventually(relayed)  # type: ignore[no-any-return]


Call = Callable[..., Awaitable[httpx.Response]]


@pytest.fixture
def call(api: httpx.AsyncClient, auth: AuthHeaders) -> Call:
    """`await call("post", path, Role.X, json=..., subject=...)`: the API as that role."""

    async def send(
        method: str, path: str, role: Role, *, subject: str = "tester", **kwargs: Any
    ) -> httpx.Response:
        headers = auth(role, subject=subject) | kwargs.pop("headers", {})
        return await api.request(method, path, headers=headers, **kwargs)

    return send


def body(response: httpx.Response, status: int) -> Any:
    assert response.status_code == status, response.text
    return json.loads(response.text) if response.content else None
