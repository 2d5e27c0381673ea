"""Collections on SQLite and an in-process bus, and a client of its API; and the same on a
throwaway PostgreSQL database, whose reads take the set-based paths."""

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from deploy.local_infra import PostgresServer
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


@pytest.fixture
async def pg_api(
    postgres_server: PostgresServer,
    tmp_path: Path,
    platform: PlatformSettings,
    tokens: TokenAuthority,
) -> AsyncIterator[tuple[httpx.AsyncClient, InProcessBus]]:
    database = f"collections_{uuid.uuid4().hex[:10]}"
    postgres_server.create_database(database)
    bus = InProcessBus()
    url = postgres_server.url(database)
    async with running_service(
        definition, tmp_path / "pg", platform, tokens, bus, database_url=url
    ) as service:
        transport = httpx.ASGITransport(app=service.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client, bus
