"""The embedded mode (`make run`): five services in one process on one in-process bus."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.embedded import SERVICE_NAMES, create_app
from shared import dlq
from shared.auth import Role
from shared.bus import BusMessage
from shared.settings import PlatformSettings
from tests.conftest import AuthHeaders
from tests.support import SECRET, eventually, new_customer, sqlite_url

COPIES = {
    "invoicing": "/invoicing/v1/billing-accounts/{id}",
    "payments": "/payments/v1/payers/{id}",
    "collections": "/collections/v1/collection-accounts/{id}",
    "credit": "/credit/v1/credit-accounts/{id}",
}


@pytest.fixture
def embedded_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> PlatformSettings:
    for name in SERVICE_NAMES:
        monkeypatch.setenv(f"AR_{name.upper()}_DATABASE_URL", sqlite_url(tmp_path, name))
    return PlatformSettings(auth_secret=SECRET, var_dir=tmp_path, relay_interval_seconds=0.02)


@asynccontextmanager
async def embedded(platform: PlatformSettings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(platform)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            yield http


async def test_every_service_serves_docs_health_and_events(
    embedded_env: PlatformSettings, auth: AuthHeaders
) -> None:
    async with embedded(embedded_env) as http:
        index = (await http.get("/")).text
        for name in SERVICE_NAMES:
            assert f"/{name}/docs" in index
            assert (await http.get(f"/{name}/docs")).status_code == 200
            assert (await http.get(f"/{name}/openapi.json")).json()["info"]["title"]
            assert (await http.get(f"/{name}/healthz")).json()["status"] == "ok"
            assert (await http.get(f"/{name}/readyz")).json()["status"] == "ready"
            assert (await http.get(f"/{name}/asyncapi.json")).json()["asyncapi"] == "3.0.0"
            assert (
                "ar_http_requests_total"
                in (await http.get(f"/{name}/metrics", headers=auth(Role.AUDITOR))).text
            )


async def test_a_customer_created_reaches_the_other_four_services_and_survives_a_restart(
    embedded_env: PlatformSettings, auth: AuthHeaders
) -> None:
    async with embedded(embedded_env) as http:
        created = await http.post(
            "/customers/v1/customers", json=new_customer(), headers=auth(Role.AR_COORDINATOR)
        )
        assert created.status_code == 201
        customer_id = created.json()["id"]
        for path in COPIES.values():

            async def arrived(path: str = path) -> Any:
                response = await http.get(path.format(id=customer_id), headers=auth(Role.AUDITOR))
                return response.status_code == 200

            await eventually(arrived, timeout=1.0)
    async with embedded(embedded_env) as http:
        for path in ["/customers/v1/customers/{id}", *COPIES.values()]:
            response = await http.get(path.format(id=customer_id), headers=auth(Role.AUDITOR))
            assert response.status_code == 200, path


async def test_a_path_no_service_takes_is_a_problem(embedded_env: PlatformSettings) -> None:
    async with embedded(embedded_env) as http:
        for path in ("/nowhere", "/customers/v1/customers/x%0Ay/onboarding"):
            response = await http.get(path)
            assert response.status_code == 404, path
            assert response.headers["content-type"] == "application/problem+json"


async def test_health_readiness_and_metrics_are_served_at_the_root_over_all_five_services(
    embedded_env: PlatformSettings, auth: AuthHeaders
) -> None:
    async with embedded(embedded_env) as http:
        health = (await http.get("/healthz")).json()
        assert health["status"] == "ok" and set(health["services"]) == set(SERVICE_NAMES)
        ready = (await http.get("/readyz")).json()
        assert ready["status"] == "ready"
        assert ready["checks"] == {name: {"database": "ok", "bus": "ok"} for name in SERVICE_NAMES}
        assert (await http.get("/metrics")).status_code == 401
        await http.get("/credit/healthz")
        metrics = (await http.get("/metrics", headers=auth(Role.AUDITOR))).text
        assert 'ar_http_requests_total{method="GET",route="/healthz",service="credit"' in metrics


async def test_dead_letters_are_kept_across_a_restart_and_replayed_from_the_command_line(
    embedded_env: PlatformSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    async def command(*args: str) -> dict[str, str]:
        """`python -m shared.dlq ...` as an operator runs it: kept letters by consumer."""
        await asyncio.to_thread(dlq.main, list(args))
        *letters, summary = capsys.readouterr().out.splitlines()
        return {"summary": summary} | {line.split()[1]: line.split()[0] for line in letters}

    unreadable = BusMessage(topic="ar.customers.v1", key="k-1", value=b"not an envelope")
    app = create_app(embedded_env)
    async with app.router.lifespan_context(app):
        await app.state.services["customers"].bus.publish([unreadable])

    kept = await command("list", "ar.customers.v1.dlq")
    assert kept.pop("summary") == "4 message(s) kept"
    assert set(kept) == set(SERVICE_NAMES) - {"customers"}
    queued = await command("replay", "ar.customers.v1.dlq", "--consumer", "credit")
    assert queued == {"summary": "1 message(s) queued for replay", "credit": kept["credit"]}

    async with embedded(embedded_env):

        async def replayed() -> bool:
            now = await command("list", "ar.customers.v1.dlq", "--consumer", "credit")
            # Delivered again by the restarted product and marked replayed; still unreadable,
            # so kept again as a new dead letter.
            return now.get("summary") == "1 message(s) kept" and now["credit"] != kept["credit"]

        await eventually(replayed, timeout=10.0)
    again = await command("list", "ar.customers.v1.dlq")
    assert again.pop("summary") == "4 message(s) kept"
    assert {name: seq for name, seq in again.items() if name != "credit"} == {
        name: seq for name, seq in kept.items() if name != "credit"
    }
