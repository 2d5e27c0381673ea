"""Rentals on real PostgreSQL and Kafka: on rent by the sales system's event, billed in advance
over three cycles beside a ticket, each cycle once across a crash mid-run and two runs at the
same time, and off rent mid-cycle with the unused part credited on a linked credit memo; credit's
exposure and collections' unbilled monitor follow the rent accrued but not billed."""

import asyncio
import uuid
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from deploy.local_infra import KafkaBroker
from services.collections.service import definition as collections_definition
from services.credit.service import definition as credit_definition
from services.customers.service import definition as customers_definition
from services.invoicing.commands import billing as billing_commands
from services.invoicing.service import definition as invoicing_definition
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
)
from tests.services.invoicing.conftest import set_up_tax
from tests.support import eventually

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]


@pytest.fixture
async def services(start_distributed: Any) -> tuple[Service, ...]:
    """Customers and invoicing (first, as the invoicing tests' helpers expect), credit and
    collections."""
    started = []
    for definition in (
        customers_definition,
        invoicing_definition,
        credit_definition,
        collections_definition,
    ):
        service, _ = await start_distributed(definition)
        started.append(service)
    return tuple(started)


async def _followed(
    services: tuple[Service, ...], auth: AuthHeaders, customer_id: str, rent: str
) -> None:
    """Credit's exposure and collections' unbilled monitor both show `rent` accrued."""

    async def both() -> bool:
        async with client(services[2]) as http:
            exposure = await http.get(f"/v1/exposure/{customer_id}", headers=auth(Role.AUDITOR))
        async with client(services[3]) as http:
            groups = await http.get("/v1/unbilled", headers=auth(Role.AUDITOR))
        unbilled = [g["rental_unbilled"] for g in groups.json()] or ["0.00"]
        return (
            exposure.status_code == 200
            and exposure.json()["rentals_accrued"] == rent
            and unbilled == [rent]
        )

    await eventually(both, timeout=30)


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
    services: tuple[Service, ...],
    auth: AuthHeaders,
    kafka_broker: KafkaBroker,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    invoicing = services[1]
    consolidated = SIMPLE_PROFILE | {"grouping": "consolidated"}
    customer = await _customer(services[:2], auth, billing_profile=consolidated)
    # Rent accrued counts in exposure: without a limit that covers it, credit would (rightly)
    # put the customer on hold and the runs would leave the rent out; nor may March's invoices,
    # long past due on today's date, put it on hold.
    services[2].settings.hold_days_past_due = 3650  # type: ignore[attr-defined]
    # One credit manager sets this limit alone (above the setting it would await a second).
    services[2].settings.second_approval_above = Decimal("100000")  # type: ignore[attr-defined]
    line = {"credit_limit": "50000.00", "terms": {"kind": "net", "days": 30}, "reason": "rental"}

    async def limit_set() -> bool:
        async with client(services[2]) as http:
            response = await http.put(
                f"/v1/credit-lines/{customer['id']}", json=line, headers=auth(Role.CREDIT_MANAGER)
            )
        return response.status_code == 200

    await eventually(limit_set, timeout=30)
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
        read = await http.get(f"/v1/rental-contracts/{contract['id']}", headers=auth(Role.AUDITOR))
    accrued = read.json()["lines"][0]["accrued_unbilled"]
    assert Decimal(accrued) >= 800  # on rent since March, nothing billed yet
    await _followed(services, auth, customer["id"], accrued)

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
        assert third["draft_count"] == 1, third["exceptions"]
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
    # Back and billed to the end: nothing accrues any more, in credit and collections too.
    await _followed(services, auth, customer["id"], "0.00")
