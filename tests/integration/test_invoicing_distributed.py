"""Invoicing on real PostgreSQL and Kafka, next to the real customers service: holds and
releases, billing runs that never double-bill across a crash, gapless numbers under
concurrency, tax per jurisdiction, corrections, balanced postings and complete events."""

import asyncio
import uuid
from collections import Counter
from decimal import Decimal
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from deploy.local_infra import KafkaBroker
from services.customers.service import definition as customers_definition
from services.invoicing.commands import billing as billing_commands
from services.invoicing.service import definition as invoicing_definition
from shared.auth import Role
from shared.events.envelope import EventEnvelope
from shared.events.invoicing import CreditMemoIssued, InvoiceIssued, InvoiceVoided
from shared.events.journal import JournalEntry
from shared.events.sales import SalesTicketClosed
from shared.service import Service
from tests.conftest import AuthHeaders
from tests.integration.conftest import client, read_topic
from tests.services.invoicing.conftest import PDF, set_up_tax, ticket_body
from tests.support import eventually, new_customer

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]

SIMPLE_PROFILE = {
    "grouping": "per_ticket",
    "po_required": False,
    "required_documents": [],
    "delivery_method": "email",
}
MIDLAND_SITE = {
    "line1": "FM 1788",
    "city": "Midland",
    "county": "Midland",
    "region": "TX",
    "postal_code": "79706",
    "country": "US",
}


@pytest.fixture
async def services(start_distributed: Any) -> tuple[Service, Service]:
    customers, _ = await start_distributed(customers_definition)
    invoicing, _ = await start_distributed(invoicing_definition)
    return customers, invoicing


async def _customer(
    services: tuple[Service, Service], auth: AuthHeaders, **overrides: Any
) -> dict[str, Any]:
    """A customer registered in the customers service, once invoicing has its copy."""
    customers, invoicing = services
    certificates = overrides.pop("certificates", [])
    async with client(customers) as http:
        response = await http.post(
            "/v1/customers", json=new_customer(**overrides), headers=auth(Role.AR_COORDINATOR)
        )
        assert response.status_code == 201, response.text
        created = response.json()
        for certificate in certificates:
            added = await http.post(
                f"/v1/customers/{created['id']}/exemption-certificates",
                json=certificate,
                headers=auth(Role.AR_COORDINATOR),
            )
            assert added.status_code == 201, added.text
    revision = created["revision"] + len(certificates)

    async def copied() -> bool:
        async with client(invoicing) as http:
            response = await http.get(
                f"/v1/billing-accounts/{created['id']}", headers=auth(Role.AUDITOR)
            )
        return response.status_code == 200 and response.json()["revision"] >= revision

    await eventually(copied)
    return created


async def _post(
    http: httpx.AsyncClient,
    path: str,
    auth: AuthHeaders,
    body: Any = None,
    role: Role = Role.AR_COORDINATOR,
) -> dict[str, Any]:
    response = await http.post(path, json=body, headers=auth(role))
    assert response.status_code in (200, 201), response.text
    return response.json()


async def _all_invoices(http: httpx.AsyncClient, auth: AuthHeaders) -> list[dict[str, Any]]:
    response = await http.get("/v1/invoices", params={"limit": 500}, headers=auth(Role.AUDITOR))
    return response.json()["items"]


def _parts_ticket(customer_id: str, **overrides: Any) -> dict[str, Any]:
    """A ticket of goods only: no time sheet needed, so it is ready at once."""
    body = ticket_body(uuid.UUID(customer_id), job_site_address=MIDLAND_SITE, **overrides)
    body["lines"] = body["lines"][1:]
    return body


async def test_held_ticket_becomes_ready_when_its_documents_arrive(
    services: tuple[Service, Service], auth: AuthHeaders
) -> None:
    customer = await _customer(services, auth)  # per PO, PO required, time sheet and sign-off
    async with client(services[1]) as http:
        ticket = await _post(
            http,
            "/v1/tickets",
            auth,
            ticket_body(uuid.UUID(customer["id"]), po_number=None),
            Role.INTEGRATION,
        )
        assert ticket["status"] == "held"
        assert ticket["hold_reasons"] == [
            "missing document: customer_signoff",
            "missing document: time_sheet",
            "PO number required by the customer's billing profile",
        ]
        for kind in ("time_sheet", "customer_signoff"):
            response = await http.post(
                f"/v1/tickets/{ticket['id']}/documents",
                data={"kind": kind},
                files={"file": ("d.pdf", PDF, "application/pdf")},
                headers=auth(Role.SALES),
            )
            assert response.status_code == 201, response.text
        after = (await http.get(f"/v1/tickets/{ticket['id']}", headers=auth(Role.AUDITOR))).json()
        assert after["hold_reasons"] == ["PO number required by the customer's billing profile"]
        released = await _post(
            http,
            f"/v1/tickets/{ticket['id']}/release",
            auth,
            {"reason": "PO confirmed by phone"},
            Role.AR_SUPERVISOR,
        )
        assert released["status"] == "ready"


async def test_billing_run_never_double_bills_across_a_crash_and_numbers_stay_gapless(
    services: tuple[Service, Service], auth: AuthHeaders, monkeypatch: pytest.MonkeyPatch
) -> None:
    invoicing = services[1]
    customer = await _customer(services, auth, billing_profile=SIMPLE_PROFILE)
    async with client(invoicing) as http:
        await set_up_tax(http, auth)
        tickets = [
            await _post(http, "/v1/tickets", auth, _parts_ticket(customer["id"]), Role.INTEGRATION)
            for _ in range(10)
        ]
        assert {t["status"] for t in tickets} == {"ready"}
        run = await _post(
            http,
            "/v1/billing-runs",
            auth,
            {"districts": ["permian"], "cut_off": "2026-11-30", "invoice_date": "2026-11-30"},
        )
        assert run["draft_count"] == 10

        invoicing.settings.issue_batch_size = 3  # type: ignore[attr-defined]
        real_issue, calls = billing_commands.issue_invoices, Counter[str]()

        async def crash_in_third_batch(session: Any, drafts: Any, **kwargs: Any) -> None:
            calls["batches"] += 1
            await real_issue(session, drafts, **kwargs)  # numbers taken, events written...
            if calls["batches"] == 3:
                raise RuntimeError("the process died mid-batch")  # ...and rolled back

        monkeypatch.setattr(billing_commands, "issue_invoices", crash_in_third_batch)
        # The crash is an unexpected error: the server answers it as a problem 500 (instead of
        # letting it escape and drop the connection), after rolling the batch back.
        crashed = await http.post(
            f"/v1/billing-runs/{run['id']}/issue", headers=auth(Role.AR_COORDINATOR)
        )
        assert crashed.status_code == 500 and calls["batches"] == 3
        half = [i for i in await _all_invoices(http, auth) if i["status"] == "issued"]
        assert len(half) == 6

        monkeypatch.setattr(billing_commands, "issue_invoices", real_issue)
        resumed = await _post(http, f"/v1/billing-runs/{run['id']}/issue", auth)
        assert (resumed["status"], resumed["issued_count"]) == ("issued", 10)
        second = await _post(
            http,
            "/v1/billing-runs",
            auth,
            {"districts": ["permian"], "cut_off": "2026-11-30", "invoice_date": "2026-11-30"},
        )
        assert second["draft_count"] == 0
        invoices = await _all_invoices(http, auth)

    assert sorted(i["number"] for i in invoices) == [f"INV-2026-{n:06d}" for n in range(1, 11)]
    billed = Counter(t for i in invoices for t in i["ticket_ids"])
    assert sorted(billed) == sorted(t["id"] for t in tickets) and set(billed.values()) == {1}

    async def all_published() -> list[InvoiceIssued]:
        events = await _events(invoicing, InvoiceIssued, customer["id"])
        return events if len({e.invoice_id for e in events}) == 10 else []

    events = await eventually(all_published, timeout=30)
    assert sorted({e.number for e in events}) == sorted(i["number"] for i in invoices)


async def test_invoice_numbers_stay_gapless_with_concurrent_runs_and_manual_invoices(
    services: tuple[Service, Service], auth: AuthHeaders
) -> None:
    invoicing = services[1]
    invoicing.settings.issue_batch_size = 2  # type: ignore[attr-defined]
    west = await _customer(services, auth, billing_profile=SIMPLE_PROFILE, business_district="west")
    east = await _customer(services, auth, billing_profile=SIMPLE_PROFILE, business_district="east")
    manual = {
        "customer_id": west["id"],
        "invoice_date": "2026-11-30",
        "lines": [
            {
                "description": "Fee",
                "quantity": "1",
                "unit": "ea",
                "unit_price": "10",
                "taxability": "exempt",
                "service_line": "fees",
            }
        ],
    }
    async with client(invoicing) as http:
        runs = []
        for customer, district in ((west, "west"), (east, "east")):
            for _ in range(8):
                await _post(
                    http,
                    "/v1/tickets",
                    auth,
                    _parts_ticket(customer["id"], business_district=district),
                    Role.INTEGRATION,
                )
            runs.append(
                await _post(
                    http,
                    "/v1/billing-runs",
                    auth,
                    {
                        "districts": [district],
                        "cut_off": "2026-11-30",
                        "invoice_date": "2026-11-30",
                    },
                )
            )
        drafts = [await _post(http, "/v1/invoices", auth, manual) for _ in range(8)]
        issuing = [
            http.post(f"/v1/billing-runs/{run['id']}/issue", headers=auth(Role.AR_COORDINATOR))
            for run in runs
        ]
        issuing += [
            http.post(f"/v1/billing-runs/{runs[0]['id']}/issue", headers=auth(Role.AR_COORDINATOR))
        ]
        issuing += [
            http.post(f"/v1/invoices/{d['id']}/issue", headers=auth(Role.AR_COORDINATOR))
            for d in drafts
        ]
        answers = await asyncio.gather(*issuing)
        assert all(a.status_code == 200 for a in answers), [
            a.text for a in answers if a.status_code != 200
        ]
        invoices = await _all_invoices(http, auth)
    numbers = sorted(i["number"] for i in invoices)
    assert numbers == [f"INV-2026-{n:06d}" for n in range(1, 25)]


async def test_billing_run_groups_each_customers_tickets_per_its_billing_profile(
    services: tuple[Service, Service], auth: AuthHeaders
) -> None:
    per_po = await _customer(
        services, auth, billing_profile=SIMPLE_PROFILE | {"grouping": "per_po"}
    )
    per_site = await _customer(
        services, auth, billing_profile=SIMPLE_PROFILE | {"grouping": "per_job_site"}
    )
    whole = await _customer(
        services, auth, billing_profile=SIMPLE_PROFILE | {"grouping": "consolidated"}
    )
    async with client(services[1]) as http:
        for customer in (per_po, per_site, whole):
            for po, site in (("PO-1", "Yard 4"), ("PO-1", "Yard 9"), ("PO-2", "Yard 4")):
                body = _parts_ticket(customer["id"], po_number=po, job_site=site)
                await _post(http, "/v1/tickets", auth, body, Role.INTEGRATION)
        run = await _post(
            http,
            "/v1/billing-runs",
            auth,
            {"districts": ["permian"], "cut_off": "2026-11-30", "dry_run": True},
        )
    groups = Counter((d["customer_id"], d["group"]) for d in run["drafts"])
    assert sorted((c == per_po["id"], c == whole["id"], g) for c, g in groups) == [
        (False, False, "job_site:yard 4"),
        (False, False, "job_site:yard 9"),
        (False, True, "consolidated"),
        (True, False, "po:PO-1"),
        (True, False, "po:PO-2"),
    ]
    assert run["ticket_count"] == 9


async def test_runs_started_at_the_same_time_never_draft_the_same_ticket(
    services: tuple[Service, Service], auth: AuthHeaders
) -> None:
    customer = await _customer(services, auth, billing_profile=SIMPLE_PROFILE)
    body = {"districts": ["permian"], "cut_off": "2026-11-30", "invoice_date": "2026-11-30"}
    async with client(services[1]) as http:
        tickets = [
            await _post(http, "/v1/tickets", auth, _parts_ticket(customer["id"]), Role.INTEGRATION)
            for _ in range(30)
        ]
        started = await asyncio.gather(
            *(
                http.post("/v1/billing-runs", json=body, headers=auth(Role.AR_COORDINATOR))
                for _ in range(3)
            )
        )
        assert [r.status_code for r in started] == [201] * 3
        drafts = await _all_invoices(http, auth)
    assert sum(r.json()["ticket_count"] for r in started) == 30
    drafted = Counter(t for d in drafts for t in d["ticket_ids"])
    assert sorted(drafted) == sorted(t["id"] for t in tickets) and set(drafted.values()) == {1}


async def test_tax_per_jurisdiction_for_taxable_exempt_expired_and_mixed_invoices(
    services: tuple[Service, Service], auth: AuthHeaders
) -> None:
    profiles = {"billing_profile": SIMPLE_PROFILE}
    taxable = await _customer(services, auth, **profiles)
    exempt = await _customer(
        services,
        auth,
        **profiles,
        certificates=[
            {"jurisdiction": "TX", "certificate_number": "EX-1", "expires_on": "2027-12-31"}
        ],
    )
    expired = await _customer(
        services,
        auth,
        **profiles,
        certificates=[
            {"jurisdiction": "TX", "certificate_number": "EX-0", "expires_on": "2026-06-30"}
        ],
    )
    city_only = await _customer(
        services,
        auth,
        **profiles,
        certificates=[{"jurisdiction": "TX-MIDLAND-CITY", "certificate_number": "EX-C"}],
    )
    async with client(services[1]) as http:
        await set_up_tax(http, auth)
        for customer in (taxable, exempt, expired, city_only):
            body = ticket_body(uuid.UUID(customer["id"]), job_site_address=MIDLAND_SITE)
            ticket = await _post(http, "/v1/tickets", auth, body, Role.INTEGRATION)
            response = await http.post(
                f"/v1/tickets/{ticket['id']}/documents",
                data={"kind": "time_sheet"},
                files={"file": ("t.pdf", PDF, "application/pdf")},
                headers=auth(Role.SALES),
            )
            assert response.status_code == 201
        run = await _post(
            http,
            "/v1/billing-runs",
            auth,
            {"districts": ["permian"], "cut_off": "2026-11-30", "invoice_date": "2026-11-30"},
        )
        await _post(http, f"/v1/billing-runs/{run['id']}/issue", auth)
        invoices = {i["customer_id"]: i for i in await _all_invoices(http, auth)}

    def taxes(customer: dict[str, Any]) -> list[tuple[str, str]]:
        return [(t["jurisdiction"], t["amount"]) for t in invoices[customer["id"]]["taxes"]]

    # labor 212.50 taxed by the city only; parts 120.10 by state, county and city
    full = [("TX", "7.51"), ("TX-MIDLAND-CITY", "4.99"), ("TX-MIDLAND-CO", "0.60")]
    assert taxes(taxable) == full and taxes(expired) == full
    assert taxes(exempt) == [] and invoices[exempt["id"]]["tax_total"] == "0.00"
    assert taxes(city_only) == full[:1] + full[2:]
    assert invoices[taxable["id"]]["total"] == "345.70"


async def test_corrections_post_balanced_entries_and_collections_get_complete_events(
    services: tuple[Service, Service], auth: AuthHeaders
) -> None:
    invoicing = services[1]
    customer = await _customer(services, auth, billing_profile=SIMPLE_PROFILE)
    async with client(invoicing) as http:
        await set_up_tax(http, auth)
        for _ in range(3):
            await _post(http, "/v1/tickets", auth, _parts_ticket(customer["id"]), Role.INTEGRATION)
        run = await _post(
            http,
            "/v1/billing-runs",
            auth,
            {"districts": ["permian"], "cut_off": "2026-11-30", "invoice_date": "2026-11-30"},
        )
        await _post(http, f"/v1/billing-runs/{run['id']}/issue", auth)
        first, second, third = sorted(await _all_invoices(http, auth), key=lambda i: i["number"])
        memo = await _post(
            http,
            "/v1/credit-memos",
            auth,
            {
                "invoice_id": first["id"],
                "reason_code": "damaged",
                "lines": [{"line": 1, "amount": "20.10"}],
            },
        )
        too_much = await http.post(
            "/v1/credit-memos",
            json={"invoice_id": first["id"], "reason_code": "x"},
            headers=auth(Role.AR_SUPERVISOR),
        )
        rebill = await _post(
            http,
            f"/v1/invoices/{second['id']}/rebill",
            auth,
            {
                "reason_code": "price",
                "lines": [
                    {
                        "description": "Seal kit",
                        "quantity": "1",
                        "unit": "ea",
                        "unit_price": "100",
                        "taxability": "goods",
                        "service_line": "parts",
                    }
                ],
            },
        )
        voided = await _post(
            http, f"/v1/invoices/{third['id']}/void", auth, {"reason": "billed in error"}
        )
        journal = (
            await http.get("/v1/journal", params={"limit": 500}, headers=auth(Role.AUDITOR))
        ).json()["items"]
    assert too_much.status_code == 422 and "open on the invoice" in too_much.json()["detail"]
    assert memo["total"] == "21.76"  # 20.10 + tax 1.26 + 0.10 + 0.30
    assert rebill["invoice"]["rebill_of"] == second["id"] and voided["status"] == "voided"

    entries = [JournalEntry.model_validate(e) for e in journal]  # validation checks each balances
    assert Counter(e.source for e in entries) == {"invoice": 4, "credit_memo": 2, "invoice_void": 1}
    ar = sum(p.debit - p.credit for e in entries for p in e.postings if p.account == "1200")
    assert ar == Decimal(first["total"]) - Decimal("21.76") + Decimal(rebill["invoice"]["total"])

    async def published() -> list[Any]:
        issued = await _events(invoicing, InvoiceIssued, customer["id"])
        memos = await _events(invoicing, CreditMemoIssued, customer["id"])
        voids = await _events(invoicing, InvoiceVoided, customer["id"])
        return (
            [issued, memos, voids]
            if (len({e.invoice_id for e in issued}), len(memos), len(voids)) == (4, 2, 1)
            else []
        )

    issued, memos, voids = await eventually(published, timeout=30)
    event = next(e for e in issued if e.invoice_id == uuid.UUID(first["id"]))
    assert (event.number, str(event.total), str(event.due_date)) == (
        first["number"],
        first["total"],
        first["due_date"],
    )
    assert (event.business_district, event.sales_rep, event.po_number) == (
        "permian",
        "rep-jones",
        "PO-77",
    )
    assert event.ticket_ids and event.lines[0].ticket_number and len(event.taxes) == 3
    assert event.terms.days == 30 and str(event.discount_amount) == first["discount_amount"]
    assert event.journal is not None and event.journal.document_number == first["number"]
    assert {m.rebill for m in memos} == {True, False}
    assert voids[0].ticket_ids == [uuid.UUID(t) for t in third["ticket_ids"]]


async def test_ticket_closed_from_sales_topic_is_received_and_an_invalid_one_dead_lettered(
    services: tuple[Service, Service], auth: AuthHeaders, kafka_broker: KafkaBroker
) -> None:
    customer = await _customer(services, auth, billing_profile=SIMPLE_PROFILE)
    good = _parts_ticket(customer["id"])
    unknown = _parts_ticket(str(uuid.uuid4()))
    producer = AIOKafkaProducer(bootstrap_servers=kafka_broker.bootstrap_servers, acks="all")
    await producer.start()
    try:
        for body in (good, unknown):
            envelope = EventEnvelope(
                type=SalesTicketClosed.event_type,
                version=1,
                producer="sales",
                customer_id=body["customer_id"],
                aggregate_id=body["ticket_number"],
                payload=body,
            )
            await producer.send_and_wait(
                "ar.sales.v1",
                envelope.to_bytes(),
                key=body["customer_id"].encode(),
                headers=[("event_type", envelope.type.encode())],
            )
    finally:
        await producer.stop()

    async def received() -> list[dict[str, Any]]:
        async with client(services[1]) as http:
            response = await http.get(
                "/v1/tickets", params={"customer_id": customer["id"]}, headers=auth(Role.AUDITOR)
            )
        return response.json()["items"]

    [ticket] = await eventually(received, timeout=30)
    assert (ticket["ticket_number"], ticket["status"]) == (good["ticket_number"], "ready")

    async def dead_lettered() -> list[Any]:
        records = await read_topic(kafka_broker.bootstrap_servers, "ar.sales.v1.dlq")
        return [r for r in records if unknown["ticket_number"].encode() in r.value]

    [dead] = await eventually(dead_lettered, timeout=30)
    headers = dict(dead.headers)
    assert b"unknown customer" in headers["dlq.error"] and headers["dlq.consumer"] == b"invoicing"


async def _events(invoicing: Service, model: Any, customer_id: str) -> list[Any]:
    """The customer's `model` events on ar.invoicing.v1, as a collections consumer reads them."""
    servers = invoicing.platform.kafka_bootstrap_servers
    records = await read_topic(servers, "ar.invoicing.v1")
    envelopes = [EventEnvelope.from_bytes(r.value) for r in records]
    return [
        model.model_validate(e.payload)
        for e in envelopes
        if e.type == model.event_type and e.customer_id == customer_id
    ]
