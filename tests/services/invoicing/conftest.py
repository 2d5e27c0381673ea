"""Invoicing on SQLite and an in-process bus, with a customer already copied from its events."""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.invoicing.service import definition
from shared.auth import Role, TokenAuthority
from shared.bus import InProcessBus
from shared.events.customers import (
    Address,
    AddressKind,
    BillingProfile,
    Contact,
    CustomerRegistered,
    CustomerSnapshot,
    InvoiceGrouping,
)
from shared.service import Service
from shared.settings import PlatformSettings
from tests.conftest import AuthHeaders
from tests.services.customer_events import customer, deliver
from tests.support import running_service

PDF = b"%PDF-1.4\n% a time sheet\n"


@pytest.fixture
def bus() -> InProcessBus:
    return InProcessBus()


@pytest.fixture
async def invoicing_service(
    tmp_path: Path,
    platform: PlatformSettings,
    tokens: TokenAuthority,
    bus: InProcessBus,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[Service]:
    monkeypatch.setenv("AR_SMTP__MAIL_DROP", str(tmp_path / "mail-drop"))
    async with running_service(definition, tmp_path, platform, tokens, bus) as service:
        yield service


@pytest.fixture
async def api(invoicing_service: Service) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=invoicing_service.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


def job_site_customer(**changes: Any) -> CustomerSnapshot:
    """An active customer billed per PO, with a job site in Midland County, TX; no exemptions."""
    base = customer(
        billing_profile=BillingProfile(grouping=InvoiceGrouping.PER_PO, po_required=True),
        exemption_certificates=[],
    )
    addresses = base.addresses + [
        Address(
            id=uuid.uuid4(),
            kind=AddressKind.JOB_SITE,
            label="Yard 4",
            line1="FM 1788",
            city="Midland",
            county="Midland",
            region="TX",
            postal_code="79706",
            country="US",
        ),
    ]
    contacts = [
        Contact(id=uuid.uuid4(), name="Dana AP", email="ap@pbs.example", receives_invoices=True)
    ]
    return base.model_copy(update={"addresses": addresses, "contacts": contacts, **changes})


@pytest.fixture
async def acme(bus: InProcessBus, api: httpx.AsyncClient) -> CustomerSnapshot:
    snapshot = job_site_customer()
    await deliver(bus, CustomerRegistered(customer=snapshot))
    return snapshot


def ticket_body(customer_id: uuid.UUID, **overrides: Any) -> dict[str, Any]:
    """A closed ticket as the sales system sends it: two hours of labor and a part."""
    body: dict[str, Any] = {
        "source_system": "fieldops",
        "ticket_number": f"T-{uuid.uuid4().hex[:8]}",
        "customer_id": str(customer_id),
        "currency": "USD",
        "business_district": "permian",
        "job_site": "Yard 4",
        "po_number": "PO-77",
        "service_start": "2026-11-02",
        "service_end": "2026-11-03",
        "closed_at": datetime(2026, 11, 3, 17, tzinfo=UTC).isoformat(),
        "lines": [
            {
                "kind": "labor",
                "description": "Pump technician",
                "quantity": "2.5",
                "unit": "hr",
                "unit_price": "85.00",
                "taxability": "labor",
                "service_line": "pumping",
            },
            {
                "kind": "parts",
                "description": "Seal kit",
                "quantity": "1",
                "unit": "ea",
                "unit_price": "120.10",
                "taxability": "goods",
                "service_line": "parts",
            },
        ],
    }
    body.update(overrides)
    return body


async def post_ticket(
    api: httpx.AsyncClient, auth: AuthHeaders, body: dict[str, Any]
) -> dict[str, Any]:
    response = await api.post("/v1/tickets", json=body, headers=auth(Role.INTEGRATION))
    assert response.status_code == 201, response.text
    return response.json()


async def attach(
    api: httpx.AsyncClient, auth: AuthHeaders, ticket_id: str, kind: str
) -> httpx.Response:
    return await api.post(
        f"/v1/tickets/{ticket_id}/documents",
        data={"kind": kind},
        files={"file": (f"{kind}.pdf", PDF, "application/pdf")},
        headers=auth(Role.SALES),
    )


async def ready_ticket(
    api: httpx.AsyncClient, auth: AuthHeaders, body: dict[str, Any]
) -> dict[str, Any]:
    """A ticket received with its time sheet on file, so it is ready to bill."""
    ticket = await post_ticket(api, auth, body)
    response = await attach(api, auth, ticket["id"], "time_sheet")
    assert response.status_code == 201, response.text
    ticket = (await api.get(f"/v1/tickets/{ticket['id']}", headers=auth(Role.AUDITOR))).json()
    assert ticket["status"] == "ready", ticket["hold_reasons"]
    return ticket


# Texas (goods and rentals), Midland County (the same) and the City of Midland, which in this
# database also taxes labor: a ticket of labor and parts in Midland is a mixed invoice.
JURISDICTIONS = {
    "TX": (
        {"name": "Texas", "level": "state", "region": "TX", "taxable_classes": ["goods", "rental"]},
        "0.0625",
    ),
    "TX-MIDLAND-CO": (
        {
            "name": "Midland County",
            "level": "county",
            "region": "TX",
            "county": "Midland",
            "taxable_classes": ["goods", "rental"],
        },
        "0.005",
    ),
    "TX-MIDLAND-CITY": (
        {
            "name": "City of Midland",
            "level": "city",
            "region": "TX",
            "city": "Midland",
            "taxable_classes": ["goods", "rental", "labor"],
        },
        "0.015",
    ),
}


async def set_up_tax(api: httpx.AsyncClient, auth: AuthHeaders) -> None:
    for code, (body, rate) in JURISDICTIONS.items():
        response = await api.put(
            f"/v1/tax/jurisdictions/{code}", json=body, headers=auth(Role.AR_COORDINATOR)
        )
        assert response.status_code == 200, response.text
        response = await api.post(
            f"/v1/tax/jurisdictions/{code}/rates",
            json={"effective_from": "2026-01-01", "rate": rate},
            headers=auth(Role.AR_COORDINATOR),
        )
        assert response.status_code == 201, response.text


@pytest.fixture
async def taxed(api: httpx.AsyncClient, auth: AuthHeaders) -> None:
    await set_up_tax(api, auth)


async def run_billing(
    api: httpx.AsyncClient, auth: AuthHeaders, *, dry_run: bool = False, **overrides: Any
) -> dict[str, Any]:
    body = {
        "districts": ["permian"],
        "cut_off": "2026-11-30",
        "invoice_date": "2026-11-30",
        "dry_run": dry_run,
    } | overrides
    response = await api.post("/v1/billing-runs", json=body, headers=auth(Role.AR_COORDINATOR))
    assert response.status_code == 201, response.text
    return response.json()


async def issue_run(api: httpx.AsyncClient, auth: AuthHeaders, run_id: str) -> dict[str, Any]:
    response = await api.post(f"/v1/billing-runs/{run_id}/issue", headers=auth(Role.AR_COORDINATOR))
    assert response.status_code == 200, response.text
    return response.json()


async def invoices_of_run(
    api: httpx.AsyncClient, auth: AuthHeaders, run_id: str
) -> list[dict[str, Any]]:
    response = await api.get(
        "/v1/invoices", params={"billing_run_id": run_id, "limit": 500}, headers=auth(Role.AUDITOR)
    )
    assert response.status_code == 200, response.text
    return response.json()["items"]
