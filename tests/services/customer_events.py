"""Helpers for testing a service's copy of customers: real customer events on a real in-process bus,
and the service's own API to read what it made of them."""

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from shared.auth import TokenAuthority
from shared.bus import BusMessage, InProcessBus
from shared.events.catalog import dead_letter_topic, topic_for
from shared.events.customers import (
    Address,
    AddressKind,
    BillingProfile,
    CustomerRegistered,
    CustomerSnapshot,
    CustomerStatus,
    CustomerUpdated,
    ExemptionCertificate,
    InvoiceGrouping,
    PaymentTerms,
    TicketDocumentKind,
)
from shared.events.envelope import EventEnvelope
from shared.service import ServiceDefinition
from shared.settings import PlatformSettings
from tests.support import event_envelope, eventually, running_service

CUSTOMER_TOPIC = topic_for("customers")


@asynccontextmanager
async def service_api(
    definition: ServiceDefinition,
    folder: Path,
    platform: PlatformSettings,
    tokens: TokenAuthority,
    bus: InProcessBus,
) -> AsyncIterator[httpx.AsyncClient]:
    """The service running on SQLite under `folder` and on `bus`, and a client of its API."""
    async with running_service(definition, folder, platform, tokens, bus) as service:
        transport = httpx.ASGITransport(app=service.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


def customer(**changes: Any) -> CustomerSnapshot:
    """A customer as the customers service publishes it."""
    return CustomerSnapshot(
        id=uuid.uuid4(),
        account_number="C000001",
        revision=1,
        legal_name="Permian Basin Services LLC",
        dba="PBS",
        status=CustomerStatus.ACTIVE,
        currency="USD",
        business_district="permian",
        sales_rep="rep-jones",
        payment_terms=PaymentTerms(days=30, discount_percent=Decimal(2), discount_days=10),
        billing_profile=BillingProfile(
            grouping=InvoiceGrouping.PER_PO,
            po_required=True,
            required_documents=[TicketDocumentKind.TIME_SHEET],
        ),
        addresses=[
            Address(
                id=uuid.uuid4(),
                kind=AddressKind.BILL_TO,
                line1="100 Main St",
                city="Midland",
                county="Midland",
                region="TX",
                postal_code="79701",
                country="US",
            ),
        ],
        exemption_certificates=[
            ExemptionCertificate(
                id=uuid.uuid4(),
                jurisdiction="TX",
                certificate_number="EX-1",
                expires_on=date(2027, 12, 31),
                has_document=True,
            ),
        ],
    ).model_copy(update=changes)


def revised(snapshot: CustomerSnapshot, revision: int, **changes: Any) -> CustomerUpdated:
    """`CustomerUpdated` carrying the snapshot at `revision` with `changes` made."""
    changed = snapshot.model_copy(update={"revision": revision, **changes})
    return CustomerUpdated(customer=changed, changed=sorted(changes))


def envelope(event: CustomerRegistered | CustomerUpdated) -> EventEnvelope:
    """The event in the envelope the customers service's outbox would put it in."""
    return event_envelope(event)


async def deliver(
    bus: InProcessBus, *events: CustomerRegistered | CustomerUpdated | EventEnvelope
) -> None:
    """Publish as the customers service's relay would; returns once every consumer handled them."""
    envelopes = [e if isinstance(e, EventEnvelope) else envelope(e) for e in events]
    await bus.publish(
        [BusMessage(topic=CUSTOMER_TOPIC, key=e.customer_id, value=e.to_bytes()) for e in envelopes]
    )
    # A handler that failed would only show as data missing later; say so here instead.
    assert not bus.retained[dead_letter_topic(CUSTOMER_TOPIC)], "a customer event was dead-lettered"


async def once_copied(api: httpx.AsyncClient, path: str, headers: dict[str, str]) -> dict[str, Any]:
    """`path` read from `api` once it answers 200: the real relay delivers in the background."""

    async def read() -> httpx.Response | None:
        response = await api.get(path, headers=headers)
        return response if response.status_code == 200 else None

    return (await eventually(read)).json()
