"""Collections on SQLite and an in-process bus, and a client of its API."""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from services.collections.service import definition
from shared.auth import TokenAuthority
from shared.bus import InProcessBus
from shared.service import Service
from shared.settings import PlatformSettings
from tests.support import running_service


@pytest.fixture
def ledger_bus() -> InProcessBus:
    return InProcessBus()


@pytest.fixture
async def collections(
    tmp_path: Path, platform: PlatformSettings, tokens: TokenAuthority, ledger_bus: InProcessBus
) -> AsyncIterator[Service]:
    async with running_service(definition, tmp_path, platform, tokens, ledger_bus) as service:
        yield service


@pytest.fixture
async def api(collections: Service) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=collections.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client
