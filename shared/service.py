"""What turns a service's routers, migrations and event handlers into a running service.

Each service declares a `ServiceDefinition`. `Service` builds its FastAPI app, database, outbox
relay and consumer from it; `start`/`stop` run them. The embedded host starts five of them on one
in-process bus; `run_standalone` starts one on the bus its settings name.
"""

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import delete
from sqlmodel import col

from shared import migrations
from shared.api.access import MetricsReaders
from shared.api.problems import install_problem_handlers, problem_response
from shared.auth import TokenAuthority
from shared.bus import Bus, InProcessBus
from shared.clock import Clock, business_date_of_request
from shared.db import Database
from shared.events.asyncapi import asyncapi_document
from shared.events.catalog import CatalogEntry, EventPayload, entry_for
from shared.inbox import BatchPreparer, EventConsumer, EventHandler
from shared.observability import RequestContextMiddleware, configure_logging
from shared.outbox import OutboxRelay
from shared.settings import PlatformSettings, ServiceSettings
from shared.tables import IdempotencyRecord

log = logging.getLogger(__name__)

HOUSEKEEPING_INTERVAL_SECONDS = 3600
# How often a consumer whose bus keeps no dead letters looks for replays asked of its own.
DEAD_LETTER_REPLAY_INTERVAL_SECONDS = 2.0


@dataclass(frozen=True)
class ServiceDefinition:
    name: str
    title: str
    description: str
    settings_class: type[ServiceSettings]
    routers: list[APIRouter]
    migrations: Path
    handlers: Mapping[type[EventPayload], EventHandler] = field(default_factory=dict)
    # Reads what a transaction's events will need, once for them all (see shared.inbox).
    prepare_batch: BatchPreparer | None = None
    # How many partitions' batches the consumer applies at once (each transaction locks the
    # customers it touches first): more than one only where every effect is one customer's.
    parallel_partitions: int = 1
    # What the service actually publishes (a subset of the catalog entries it owns).
    publishes: list[type[EventPayload]] = field(default_factory=list)
    # Jobs that run beside the relay while the service runs (e.g. a periodic sweep), each
    # given the running service; cancelled at stop.
    background: list[Callable[["Service"], Coroutine[Any, Any, None]]] = field(default_factory=list)
    version: str = "1.0.0"

    @property
    def version_table(self) -> str:
        return f"alembic_version_{self.name}"


# Allocations between young-generation collections: a consumer's batch of events makes tens of
# thousands of short-lived objects, and collecting every 700 (Python's default) costs a busy
# consumer a third of its time.
GC_YOUNG_THRESHOLD = 50_000


def _tune_garbage_collector() -> None:
    """Move what start-up loaded (modules, mappers, compiled statements) out of the collector's
    sight, so full collections stop re-scanning it, and collect the young generation less often."""
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, middle, old)


class Service:
    def __init__(
        self,
        definition: ServiceDefinition,
        *,
        settings: ServiceSettings,
        platform: PlatformSettings,
        bus: Bus,
        tokens: TokenAuthority,
        owns_bus: bool,
    ) -> None:
        self.definition, self.settings, self.platform = definition, settings, platform
        self.bus, self.owns_bus = bus, owns_bus
        self.clock = Clock(platform.time_zone)
        self.db = Database(settings.database_url)
        self.relay = OutboxRelay(
            self.db,
            bus,
            name=definition.name,
            interval_seconds=platform.relay_interval_seconds,
            clock=self.clock,
        )
        self.consumer = EventConsumer(
            definition.name,
            self.db,
            bus,
            definition.handlers,
            settings=settings,
            clock=self.clock,
            prepare=definition.prepare_batch,
            parallel_partitions=definition.parallel_partitions,
            max_attempts=platform.consumer_max_attempts,
            retry_backoff_seconds=platform.consumer_retry_backoff_seconds,
        )
        self.tokens = tokens
        self._tasks: list[asyncio.Task[None]] = []
        self.app = self._build_app()

    async def prepare(self) -> None:
        """Migrate and subscribe. On a shared bus every service prepares before any relay runs,
        so no event is relayed before all its consumers listen."""
        if self.settings.migrate_on_start:
            await migrations.upgrade(
                self.db, self.definition.migrations, self.definition.version_table
            )
        if self.definition.handlers:
            self.consumer.subscribe()

    async def run(self) -> None:
        """Start the bus (if this service owns it), the outbox relay, housekeeping and the
        definition's background jobs."""
        _tune_garbage_collector()
        if self.owns_bus:
            await self.bus.start()
        self._tasks = [
            asyncio.create_task(self.relay.run(), name=f"{self.definition.name}-relay"),
            asyncio.create_task(self._housekeeping(), name=f"{self.definition.name}-housekeeping"),
            *(
                asyncio.create_task(job(self), name=f"{self.definition.name}-{job.__name__}")
                for job in self.definition.background
            ),
        ]
        if self.definition.handlers and not self.bus.keeps_dead_letters:
            self._tasks.append(
                asyncio.create_task(
                    self._replay_dead_letters(), name=f"{self.definition.name}-dead-letters"
                )
            )

    async def start(self) -> None:
        await self.prepare()
        await self.run()

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.owns_bus:
            await self.bus.stop()
        await self.db.dispose()

    async def _housekeeping(self) -> None:
        while True:
            try:
                async with self.db.transaction() as session:
                    await session.exec(
                        delete(IdempotencyRecord).where(
                            col(IdempotencyRecord.expires_at) < self.clock.now()
                        )
                    )
            except Exception:
                log.exception("housekeeping of %s failed", self.definition.name)
            await asyncio.sleep(HOUSEKEEPING_INTERVAL_SECONDS)

    async def readiness(self) -> dict[str, str]:
        """Whether the database and the bus answer: "ok", or why not."""
        checks: dict[str, str] = {}
        for name, ping in (("database", self.db.ping), ("bus", self.bus.ping)):
            try:
                await ping()
                checks[name] = "ok"
            except Exception as exc:
                checks[name] = f"unreachable: {exc}"
        return checks

    async def _replay_dead_letters(self) -> None:
        """Deliver the kept dead letters whose replay `python -m shared.dlq replay` asked for."""
        while True:
            try:
                await self.consumer.replay_requested()
            except Exception:
                log.exception("replaying dead letters of %s failed", self.definition.name)
            await asyncio.sleep(DEAD_LETTER_REPLAY_INTERVAL_SECONDS)

    def _build_app(self) -> FastAPI:
        definition = self.definition
        app = FastAPI(
            title=definition.title,
            description=definition.description,
            version=definition.version,
        )
        app.state.db = self.db
        app.state.service = self
        app.state.token_authority = self.tokens
        app.state.idempotency_retention_hours = self.platform.idempotency_retention_hours
        # Problem handlers first: their middleware then sits inside the request ids' one.
        install_problem_handlers(app)
        app.add_middleware(RequestContextMiddleware, service=definition.name)
        # Every route may name the business date it posts on (and documents the header).
        for router in definition.routers:
            app.include_router(router, dependencies=[Depends(business_date_of_request)])
        app.include_router(self._operations_router())
        return app

    def _operations_router(self) -> APIRouter:
        router = APIRouter(tags=["operations"])
        service = self

        @router.get("/healthz", summary="The process is up")
        async def healthz() -> dict[str, str]:
            return {"status": "ok", "service": service.definition.name}

        @router.get("/readyz", summary="The database and the bus are reachable")
        async def readyz(request: Request) -> Any:
            checks = await service.readiness()
            return readiness_answer(request, checks, ready=_all_ok(checks))

        @router.get("/metrics", summary="Prometheus metrics", response_class=Response)
        async def metrics(_: MetricsReaders) -> Response:
            return metrics_response()

        @router.get(
            "/asyncapi.json", summary="AsyncAPI document of the events published and consumed"
        )
        async def asyncapi() -> dict[str, Any]:
            definition = service.definition
            return asyncapi_document(
                definition.title,
                definition.version,
                published=[_entry(model) for model in definition.publishes],
                consumed=[_entry(model) for model in definition.handlers],
            )

        return router


def _all_ok(checks: dict[str, str]) -> bool:
    return all(value == "ok" for value in checks.values())


def readiness_answer(request: Request, checks: Mapping[str, Any], *, ready: bool) -> Any:
    """`/readyz`'s answer: ready with the checks, or a 503 problem naming what is unreachable."""
    if ready:
        return {"status": "ready", "checks": checks}
    return problem_response(
        503,
        "not-ready",
        "Not ready",
        "a dependency is unreachable",
        request=request,
        checks=checks,
    )


def metrics_response() -> Response:
    """Every metric of the process (in embedded mode, of all five services)."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


async def product_readiness(services: list[Service]) -> tuple[dict[str, dict[str, str]], bool]:
    """Each service's checks, and whether all of them are ready (the embedded host's `/readyz`)."""
    checks = {service.definition.name: await service.readiness() for service in services}
    return checks, all(_all_ok(check) for check in checks.values())


def _entry(model: type[EventPayload]) -> CatalogEntry:
    entry = entry_for(model.event_type, model.event_version)
    if entry is None:
        raise LookupError(f"{model.__name__} is not in the event catalog")
    return entry


def run_standalone(definition: ServiceDefinition) -> None:
    """Run one service in its own process on its own port (`python -m services.<name>`)."""
    import uvicorn

    platform = PlatformSettings()
    settings = definition.settings_class()  # type: ignore[call-arg]
    configure_logging(platform.log_level)
    bus: Bus
    if platform.bus == "kafka":
        from shared.bus.kafka import KafkaBus

        bus = KafkaBus(
            platform.kafka_bootstrap_servers,
            client_id=definition.name,
            partitions=platform.kafka_partitions,
        )
    else:
        bus = InProcessBus()
    service = Service(
        definition,
        settings=settings,
        platform=platform,
        bus=bus,
        tokens=TokenAuthority.from_settings(platform, platform.require_auth_secret()),
        owns_bus=True,
    )

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await service.start()
        yield
        await service.stop()

    service.app.router.lifespan_context = lifespan
    uvicorn.run(service.app, host=platform.bind_host, port=settings.port, log_config=None)
