"""The embedded mode: all five services in one process, each with its own SQLite file, on one
in-process bus, through the same outbox, relay and consumers as the distributed mode."""

import contextlib
import importlib
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse

from shared.api.access import MetricsReaders
from shared.api.problems import install_problem_handlers
from shared.auth import Role, TokenAuthority
from shared.bus import InProcessBus
from shared.service import (
    Service,
    ServiceDefinition,
    metrics_response,
    product_readiness,
    readiness_answer,
)
from shared.settings import PlatformSettings, embedded_secret

SERVICE_NAMES = ("customers", "invoicing", "payments", "collections", "credit")


def definitions() -> list[ServiceDefinition]:
    return [
        importlib.import_module(f"services.{name}.service").definition for name in SERVICE_NAMES
    ]


def token_authority(platform: PlatformSettings) -> TokenAuthority:
    secret = platform.require_auth_secret() if platform.auth_secret else embedded_secret(platform)
    return TokenAuthority.from_settings(platform, secret)


def build_services(
    platform: PlatformSettings, bus: InProcessBus, tokens: TokenAuthority
) -> list[Service]:
    return [
        Service(
            d,
            settings=d.settings_class(),
            platform=platform,
            bus=bus,
            tokens=tokens,
            owns_bus=False,
        )  # type: ignore[call-arg]
        for d in definitions()
    ]


def create_app(platform: PlatformSettings | None = None) -> FastAPI:
    """The one-process host: each service mounted under its name, a page at / linking their docs."""
    platform = platform or PlatformSettings()
    bus = InProcessBus()
    tokens = token_authority(platform)
    services = build_services(platform, bus, tokens)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        for service in services:
            await service.prepare()
        await bus.start()
        for service in services:
            await service.run()
        yield
        for service in reversed(services):
            await service.stop()
        await bus.stop()

    host = FastAPI(title="AR platform (embedded)", lifespan=lifespan, docs_url=None, redoc_url=None)
    # A path no service takes (even one no mount can match) still gets a problem answer.
    install_problem_handlers(host)
    host.state.services = {service.definition.name: service for service in services}
    host.state.tokens = host.state.token_authority = tokens

    # Operations at the root, over all five services (each also serves its own under its name).
    @host.get("/healthz", summary="The process is up", tags=["operations"])
    async def healthz() -> dict[str, Any]:
        return {"status": "ok", "services": {s.definition.name: "ok" for s in services}}

    @host.get("/readyz", summary="Every service's database and the bus are reachable")
    async def readyz(request: Request) -> Any:
        checks, ready = await product_readiness(services)
        return readiness_answer(request, checks, ready=ready)

    @host.get("/metrics", summary="Prometheus metrics of all five services")
    async def metrics(_: MetricsReaders) -> Response:
        return metrics_response()

    @host.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def index() -> str:
        rows = "".join(
            f"<li><b>{s.definition.title}</b>: <a href='/{s.definition.name}/docs'>API docs</a>, "
            f"<a href='/{s.definition.name}/asyncapi.json'>events</a>, "
            f"<a href='/{s.definition.name}/readyz'>ready?</a></li>"
            for s in services
        )
        return (
            "<!doctype html><title>AR platform</title><h1>AR platform</h1>"
            f"<ul>{rows}</ul><p>All services: <a href='/healthz'>up?</a>, "
            "<a href='/readyz'>ready?</a>, <a href='/metrics'>metrics</a> (a token of the "
            "supervisor, an auditor or the integration)</p>"
        )

    for service in services:
        host.mount(f"/{service.definition.name}", service.app)
    return host


def local_token(tokens: TokenAuthority) -> str:
    """A token for trying the product, valid for 12 hours: one role, so that what needs two people
    (approvals, releasing a hold) needs a second token, minted with `python -m shared.auth`."""
    return tokens.mint("local-coordinator", [Role.AR_COORDINATOR], ttl=timedelta(hours=12))
