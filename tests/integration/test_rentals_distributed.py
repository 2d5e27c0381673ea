"""Rentals on real PostgreSQL and Kafka: on rent by the sales system's event, billed in advance
over three cycles beside a ticket, each cycle once across a crash mid-run and two runs at the
same time, and off rent mid-cycle with the unused part credited on a linked credit memo."""

import asyncio
import uuid
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from deploy.local_infra import KafkaBroker
from services.invoicing.commands import billing as billing_commands
from shared.auth import Role
from shared.events.envelope import EventEnvelope
from shared.events.sales import SalesRentalStarted
from shared.service import Service
from tests.conftest import AuthHeaders
from tests.integration.conftest import client
from tests.integration.test_invoicing_distributed import (
    MIDLAND_SITE,
    SIMPLE_PROFILE,
    _customer,
    _parts_ticket,
    _post,
    services,
)
from tests.services.invoicing.conftest import set_up_tax
from tests.support import eventually

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]

__all__ = ["services"]  # the fixture, shared with the invoicing tests


async def _send_started(kafka_broker: KafkaBroker, payload: dict[str, Any]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=kafka_broker.bootstrap_servers, acks="all")
    await producer.start()
    try:
        envelope = EventEnvelope(
            type=SalesRentalStarted.event_type,
            version=1,
            producer="sales",
            customer_id=payload["customer_id"],
            aggregate_id=payload["contract_number"],
            payload=payload,
        )
        await producer.send_and_wait(
            "ar.sales.v1",
            envelope.to_bytes(),
            key=payload["customer_id"].encode(),
            headers=[("event_type", envelope.type.encode())],
        )
    finally:
        await producer.stop()


async def _run(http: httpx.AsyncClient, auth: AuthHeaders, day: str) -> httpx.Response:
    body = {"districts": ["permian"], "cut_off": day, "invoice_date": day}
    return await http.post("/v1/billing-runs", json=body, headers=auth(Role.AR_COORDINATOR))


async def test_rent_billed_in_advance_over_three_cycles_once_each_and_credited_on_return(
    services: tuple[Service, Service],
    auth: AuthHeaders,
    kafka_broker: KafkaBroker,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    invoicing = services[1]
    consolidated = SIMPLE_PROFILE | {"grouping": "consolidated"}
    customer = await _customer(services, auth, billing_profile=consolidated)
    async with client(invoicing) as http:
        await set_up_tax(http, auth)
        await _post(
            http,
            "/v1/assets",
            auth,
            {
                "asset_id": "FT-500-7",
                "asset_class": "frac tank 500 bbl",
                "owning_district": "permian",
                "registered_on": "2026-01-05",
            },
        )
        contract = await _post(
            http,
            "/v1/rental-contracts",
            auth,
            {
                "contract_number": f"RC-{uuid.uuid4().hex[:6]}",
                "customer_id": customer["id"],
                "business_district": "permian",
                "job_site": "Yard 4",
                "job_site_address": MIDLAND_SITE,
                "timing": "advance",
                "lines": [
                    {
                        "asset_id": "FT-500-7",
                        "daily": "100.00",
                        "weekly": "300.00",
                        "four_weeks": "800.00",
                    }
                ],
            },
        )
    await _send_started(
        kafka_broker,
        {
            "contract_number": contract["contract_number"],
            "line_number": 1,
            "customer_id": customer["id"],
            "on_rent_date": "2026-03-02",
        },
    )

    async def on_rent() -> bool:
        async with client(invoicing) as http:
            read = await http.get(
                f"/v1/rental-contracts/{contract['id']}", headers=auth(Role.AUDITOR)
            )
        return read.json()["lines"][0]["on_rent_date"] == "2026-03-02"

    await eventually(on_rent, timeout=30)

    async with client(invoicing) as http:
        closed = datetime(2026, 3, 2, 15, tzinfo=UTC).isoformat()
        await _post(
            http,
            "/v1/tickets",
            auth,
            _parts_ticket(customer["id"], closed_at=closed),
            Role.INTEGRATION,
        )
        real_record, calls = billing_commands.record_billed, Counter[str]()

        async def crash_after_recording(*args: Any, **kwargs: Any) -> None:
            calls["runs"] += 1
            await real_record(*args, **kwargs)  # the cycle's charges written...
            raise RuntimeError("the process died mid-run")  # ...and rolled back with the drafts

        monkeypatch.setattr(billing_commands, "record_billed", crash_after_recording)
        crashed = await _run(http, auth, "2026-03-02")
        assert crashed.status_code == 500 and calls["runs"] == 1
        monkeypatch.setattr(billing_commands, "record_billed", real_record)

        first = (await _run(http, auth, "2026-03-02")).json()
        # One invoice: the cycle's rent beside the ticket.
        assert (first["draft_count"], first["ticket_count"]) == (1, 1)
        await _post(http, f"/v1/billing-runs/{first['id']}/issue", auth)

        # Cycle 2 by two runs at once, then again: billed once.
        both = await asyncio.gather(_run(http, auth, "2026-03-30"), _run(http, auth, "2026-03-30"))
        assert {r.status_code for r in both} <= {201, 409}
        again = (await _run(http, auth, "2026-03-30")).json()
        assert again["draft_count"] == 0
        for run in [r.json() for r in both if r.status_code == 201]:
            await _post(http, f"/v1/billing-runs/{run['id']}/issue", auth)
        third = (await _run(http, auth, "2026-04-27")).json()
        await _post(http, f"/v1/billing-runs/{third['id']}/issue", auth)

        back = await _post(
            http,
            f"/v1/rental-contracts/{contract['id']}/lines/1/off-rent",
            auth,
            {"on": "2026-05-05"},
        )
    charges = back["lines"][0]["charges"]
    rent = Counter((c["cycle_number"], c["kind"]) for c in charges)
    assert set(rent.values()) == {1}
    assert [(c["cycle_number"], c["amount"]) for c in charges if c["kind"] == "rent"] == [
        (1, "800.00"),
        (2, "800.00"),
        (3, "800.00"),
    ]
    # 64 days on rent cost 2 × 800.00 + 1 week + 1 day = 2,000.00: 400.00 of 2,400.00 back.
    [credit] = [c for c in charges if c["kind"] == "credit"]
    cycle_three = next(c for c in charges if c["kind"] == "rent" and c["cycle_number"] == 3)
    assert credit["amount"] == "-400.00"
    assert credit["invoice_id"] == cycle_three["invoice_id"]
    assert back["lines"][0]["billed"] == "2000.00"
