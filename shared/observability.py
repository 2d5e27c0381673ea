"""JSON logs carrying request and correlation ids, Prometheus metrics, and the id middleware."""

import json
import logging
import sys
import time
import uuid
from typing import Any

from prometheus_client import Counter, Gauge, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared import context

REQUESTS = Counter(
    "ar_http_requests_total", "HTTP requests answered", ["service", "method", "route", "status"]
)
LATENCY = Histogram(
    "ar_http_request_duration_seconds", "HTTP request latency", ["service", "method", "route"]
)
EVENTS_CONSUMED = Counter(
    "ar_events_consumed_total",
    "Events handled by a consumer",
    ["consumer", "event_type", "outcome"],
)
EVENTS_RELAYED = Counter("ar_events_relayed_total", "Outbox rows sent to the bus", ["service"])
DEAD_LETTERS = Counter(
    "ar_dead_letters_total", "Messages a consumer gave up on", ["consumer", "topic"]
)
OUTBOX_UNSENT = Gauge("ar_outbox_unsent_rows", "Outbox rows not sent to the bus yet", ["service"])
OUTBOX_OLDEST_AGE = Gauge(
    "ar_outbox_oldest_unsent_age_seconds",
    "Age of the oldest outbox row not sent yet (0 when all are sent)",
    ["service"],
)
CONSUMER_LAG = Gauge(
    "ar_consumer_lag_messages",
    "Messages of a topic's partition not yet handled by a consumer group (in process: one "
    "partition, the messages of the relay's batch still to deliver)",
    ["consumer", "topic", "partition"],
)
DELIVERY_LAG = Histogram(
    "ar_event_delivery_lag_seconds",
    "From an event's occurred_at to its effect committed by a consumer",
    ["consumer", "event_type"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600),
)
EVENTS_REPLAYED = Counter(
    "ar_dead_letters_replayed_total", "Kept dead letters delivered again", ["consumer"]
)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": context.request_id.get(),
            "correlation_id": context.correlation_id.get(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps({k: v for k, v in entry.items() if v is not None})


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


class RequestContextMiddleware:
    """Gives each request its ids (echoed in response headers) and records its metrics."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app, self.service = app, service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode().lower(): v.decode() for k, v in scope.get("headers", [])}
        request_id = headers.get("x-request-id") or str(uuid.uuid4())
        correlation_id = headers.get("x-correlation-id") or request_id
        status = 500
        started = time.perf_counter()

        async def send_with_ids(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + [
                    (b"x-request-id", request_id.encode()),
                    (b"x-correlation-id", correlation_id.encode()),
                ]
            await send(message)

        with context.work_context(request=request_id, correlation=correlation_id):
            try:
                await self.app(scope, receive, send_with_ids)
            finally:
                route = scope.get("route")
                path = getattr(route, "path", "unmatched")
                REQUESTS.labels(self.service, scope["method"], path, str(status)).inc()
                LATENCY.labels(self.service, scope["method"], path).observe(
                    time.perf_counter() - started
                )
