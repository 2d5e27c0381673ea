"""Ids that follow one piece of work from an HTTP request into the events it causes and the logs.

A request gets a request id and a correlation id (taken from `X-Request-ID` /
`X-Correlation-ID` when the caller sends them). An event handled by a consumer hands its
correlation id on, and its own id becomes the causation id of whatever it causes.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)
causation_id: ContextVar[str | None] = ContextVar("causation_id", default=None)


@contextmanager
def work_context(
    *, request: str | None = None, correlation: str | None = None, causation: str | None = None
) -> Iterator[None]:
    tokens = (
        request_id.set(request),
        correlation_id.set(correlation),
        causation_id.set(causation),
    )
    try:
        yield
    finally:
        causation_id.reset(tokens[2])
        correlation_id.reset(tokens[1])
        request_id.reset(tokens[0])
