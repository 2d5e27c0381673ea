"""Helpers for building services, customers and events in tests."""

import asyncio
import itertools
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from shared.auth import TokenAuthority
from shared.bus import Bus, BusMessage
from shared.events.catalog import EventPayload, topic_for
from shared.events.envelope import EventEnvelope
from shared.outbox import relayed_message
from shared.service import Service, ServiceDefinition
from shared.settings import PlatformSettings

SECRET = "test-secret-" + "x" * 40


def sqlite_url(folder: Path, name: str) -> str:
    return f"sqlite+aiosqlite:///{folder}/{name}.db"


@asynccontextmanager
async def running_service(
    definition: ServiceDefinition,
    folder: Path,
    platform: PlatformSettings,
    tokens: TokenAuthority,
    bus: Bus,
    *,
    database_url: str | None = None,
    owns_bus: bool = True,
) -> AsyncIterator[Service]:
    settings = definition.settings_class(  # type: ignore[call-arg]
        database_url=database_url or sqlite_url(folder, definition.name)
    )
    service = Service(
        definition, settings=settings, platform=platform, bus=bus, tokens=tokens, owns_bus=owns_bus
    )
    await service.start()
    try:
        yield service
    finally:
        await service.stop()


async def eventually(check: Callable[[], Awaitable[Any]], *, timeout: float = 10.0) -> Any:
    """Wait until `check()` returns something truthy (events travel asynchronously)."""
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {timeout} s: {check.__name__}")
        await asyncio.sleep(0.02)


# Each body gets its own EIN (12-3456789 first) and name, as each real customer has: customers
# refuses a second registration with the tax id or the name of one it knows.
_NUMBERS = itertools.count(3456789)


def new_customer(**overrides: Any) -> dict[str, Any]:
    """A valid customer registration body, as the AR coordinator would send it."""
    n = next(_NUMBERS)
    body: dict[str, Any] = {
        "legal_name": f"Permian Basin Services {n} LLC",
        "dba": "PBS",
        "tax_id": f"12-{n:07d}",
        "business_district": "permian",
        "sales_rep": "rep-jones",
        "status": "active",
        "payment_terms": {"kind": "net", "days": 30, "discount_percent": "2", "discount_days": 10},
        "billing_profile": {
            "grouping": "per_po",
            "po_required": True,
            "required_documents": ["time_sheet", "customer_signoff"],
            "delivery_method": "email",
        },
        "addresses": [
            {
                "kind": "bill_to",
                "line1": "100 Main St",
                "city": "Midland",
                "county": "Midland",
                "region": "TX",
                "postal_code": "79701",
            },
            {
                "kind": "job_site",
                "label": "Yard 4",
                "line1": "FM 1788",
                "city": "Odessa",
                "county": "Ector",
                "region": "TX",
                "postal_code": "79766",
            },
        ],
        "contacts": [{"name": "Dana AP", "email": "ap@pbs.example", "receives_invoices": True}],
    }
    body.update(overrides)
    return body


def customer_key(event: EventPayload) -> str:
    """The key producers send an event under: its customer (the customer events' own), or one
    of its own for a payment whose payer is not identified."""
    customer = getattr(event, "customer", None)
    key = getattr(event, "customer_id", None) or (customer.id if customer else None)
    return str(key or uuid.uuid4())


def event_envelope(event: EventPayload) -> EventEnvelope:
    """The event in the envelope its producer's outbox would put it in."""
    key = customer_key(event)
    return EventEnvelope.wrap(event, customer_id=key, aggregate_id=key)


def event_message(event: EventPayload) -> BusMessage:
    """The event as its producer's outbox and relay would send it."""
    envelope = event_envelope(event)
    return relayed_message(
        topic_for(event.producer), envelope.customer_id, envelope.type, envelope.to_bytes()
    )
