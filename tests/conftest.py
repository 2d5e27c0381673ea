"""Fixtures every test may use. Real PostgreSQL and Kafka come from tests/fixtures/infra.py."""

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest

from shared.auth import Role, TokenAuthority
from shared.bus import InProcessBus
from shared.service import Service
from shared.settings import PlatformSettings
from tests.support import SECRET, running_service

pytest_plugins = ["tests.fixtures.infra"]


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
