"""Fixtures every test may use. Real PostgreSQL and Kafka come from tests/fixtures/infra.py.

`AR_TEST_NOW` (an ISO datetime with its offset, e.g. 2028-02-29T12:00:00-06:00) runs the whole
session with the clock moved there (and ticking), so a test that depends on the day it runs
fails on the day it would: month ends, 29 February, New Year's Eve, a daylight-saving change.
"""

import os
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path

import httpx
import pytest
import time_machine
from hypothesis import HealthCheck, settings

from shared.auth import Role, TokenAuthority
from shared.bus import InProcessBus
from shared.service import Service
from shared.settings import PlatformSettings
from tests.support import SECRET, running_service

pytest_plugins = ["tests.fixtures.infra"]

# Properties are judged on what they find, not on how fast a busy 2-core host draws examples:
# a slow draw or example there is load, not a failure.
settings.register_profile(
    "ar", deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
settings.load_profile("ar")

TEST_NOW = "AR_TEST_NOW"
_travels: list[time_machine.travel] = []


def pytest_configure(config: pytest.Config) -> None:
    # Before collection: module-level dates of the test files are read under the moved clock too.
    when = os.environ.get(TEST_NOW)
    if not when:
        return
    instant = datetime.fromisoformat(when)
    if instant.tzinfo is None:
        raise pytest.UsageError(f"{TEST_NOW} needs an offset, e.g. 2028-02-29T12:00:00-06:00")
    travel = time_machine.travel(instant, tick=True)
    travel.start()
    _travels.append(travel)


def pytest_unconfigure(config: pytest.Config) -> None:
    while _travels:
        _travels.pop().stop()


def pytest_report_header(config: pytest.Config) -> str | None:
    when = os.environ.get(TEST_NOW)
    return f"clock moved to {when} ({TEST_NOW})" if when else None


@pytest.fixture
def platform() -> PlatformSettings:
    # Fast relays and retries so tests wait milliseconds, not seconds.
    return PlatformSettings(
        auth_secret=SECRET, relay_interval_seconds=0.02, consumer_retry_backoff_seconds=0.01
    )


@pytest.fixture
def tokens() -> TokenAuthority:
    return TokenAuthority(SECRET)


AuthHeaders = Callable[..., dict[str, str]]


@pytest.fixture
def auth(tokens: TokenAuthority) -> AuthHeaders:
    """`auth(Role.AR_COORDINATOR)` gives headers carrying a token with those roles."""

    def headers(*roles: Role, subject: str = "tester") -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens.mint(subject, list(roles))}"}

    return headers


@pytest.fixture
async def customers_service(
    tmp_path: Path, platform: PlatformSettings, tokens: TokenAuthority
) -> AsyncIterator[Service]:
    """The customers service alone on SQLite and an in-process bus."""
    from services.customers.service import definition

    async with running_service(definition, tmp_path, platform, tokens, InProcessBus()) as service:
        yield service


@pytest.fixture
async def customers_api(customers_service: Service) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=customers_service.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client
