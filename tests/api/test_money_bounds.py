"""Money at every service's edge: no exponent, no more decimals than the currency has, nothing
beyond AR_MONEY_MAX_AMOUNT, and answers written plainly at the currency's minor unit."""

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from deploy.local_infra import PostgresServer
from services.collections.service import definition as collections_definition
from services.credit.service import definition as credit_definition
from services.invoicing.service import definition as invoicing_definition
from services.payments.service import definition as payments_definition
from shared.auth import Role, TokenAuthority
from shared.bus import InProcessBus
from shared.clock import Clock
from shared.events.customers import CustomerRegistered
from shared.service import ServiceDefinition
from shared.settings import PlatformSettings
from tests.conftest import AuthHeaders
from tests.services.collections.books import overdue_customer, publish
from tests.services.invoicing.conftest import job_site_customer, set_up_tax, ticket_body
from tests.support import event_message, running_service

Client = AsyncIterator[httpx.AsyncClient]


@asynccontextmanager
async def _client(
    definition: ServiceDefinition,
    tmp_path: Path,
    platform: PlatformSettings,
    tokens: TokenAuthority,
    bus: InProcessBus,
) -> Client:
    async with running_service(definition, tmp_path, platform, tokens, bus) as service:
        transport = httpx.ASGITransport(app=service.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


@pytest.fixture
def bus() -> InProcessBus:
    return InProcessBus()


def _refused(response: httpx.Response, field: str) -> None:
    assert response.status_code == 422, response.text
    assert any(error["field"].endswith(field) for error in response.json()["errors"]), response.text


def _line(**changes: Any) -> dict[str, Any]:
    return {
        "description": "Vacuum truck",
        "quantity": "1",
        "unit": "job",
        "unit_price": "100.00",
        "taxability": "exempt",
        "service_line": "vacuum",
    } | changes


@pytest.fixture
async def invoicing(
    tmp_path: Path,
    platform: PlatformSettings,
    tokens: TokenAuthority,
    bus: InProcessBus,
    auth: AuthHeaders,
    monkeypatch: pytest.MonkeyPatch,
) -> Client:
    monkeypatch.setenv("AR_SMTP__MAIL_DROP", str(tmp_path / "mail-drop"))
    async with _client(invoicing_definition, tmp_path, platform, tokens, bus) as api:
        await set_up_tax(api, auth)
        yield api


async def _manual(
    api: httpx.AsyncClient, auth: AuthHeaders, bus: InProcessBus, *lines: dict[str, Any]
) -> httpx.Response:
    customer = job_site_customer()
    await bus.publish([event_message(CustomerRegistered(customer=customer))])
    return await api.post(
        "/v1/invoices",
        json={"customer_id": str(customer.id), "lines": list(lines)},
        headers=auth(Role.AR_COORDINATOR),
    )


async def test_an_absurd_manual_line_is_refused_not_totalled(
    invoicing: httpx.AsyncClient, auth: AuthHeaders, bus: InProcessBus
) -> None:
    absurd = _line(quantity="9999999999999", unit_price="9999999999999")
    _refused(await _manual(invoicing, auth, bus, absurd), "lines.0")


async def test_a_ticket_line_beyond_the_maximum_is_refused(
    invoicing: httpx.AsyncClient, auth: AuthHeaders, bus: InProcessBus
) -> None:
    customer = job_site_customer()
    await bus.publish([event_message(CustomerRegistered(customer=customer))])
    body = ticket_body(customer.id)
    body["lines"][0] |= {"quantity": "9999999999999", "unit_price": "9999999999999"}
    response = await invoicing.post("/v1/tickets", json=body, headers=auth(Role.INTEGRATION))
    _refused(response, "lines.0")


async def test_an_invoice_beyond_the_maximum_is_refused_though_each_line_is_within(
    invoicing: httpx.AsyncClient, auth: AuthHeaders, bus: InProcessBus
) -> None:
    half = _line(unit_price="600000000.00")
    response = await _manual(invoicing, auth, bus, half, half)
    assert response.status_code == 422, response.text
    assert "AR_MONEY_MAX_AMOUNT" in response.json()["detail"]
    largest = await _manual(invoicing, auth, bus, _line(unit_price="999999999.99"))
    assert largest.status_code == 201, largest.text
    assert largest.json()["total"] == "999999999.99"


async def test_an_exponent_in_a_price_is_refused(
    invoicing: httpx.AsyncClient, auth: AuthHeaders, bus: InProcessBus
) -> None:
    _refused(await _manual(invoicing, auth, bus, _line(unit_price="1e3")), "unit_price")


async def test_a_credit_memo_finer_than_a_cent_is_refused(
    invoicing: httpx.AsyncClient, auth: AuthHeaders, bus: InProcessBus
) -> None:
    draft = await _manual(invoicing, auth, bus, _line())
    assert draft.status_code == 201, draft.text
    invoice_id = draft.json()["id"]
    issued = await invoicing.post(
        f"/v1/invoices/{invoice_id}/issue", headers=auth(Role.AR_COORDINATOR)
    )
    assert issued.status_code == 200, issued.text
    response = await invoicing.post(
        "/v1/credit-memos",
        json={
            "invoice_id": invoice_id,
            "reason_code": "goodwill",
            "lines": [{"line": 1, "amount": "0.001"}],
        },
        headers=auth(Role.AR_COORDINATOR),
    )
    assert response.status_code == 422, response.text
    assert "smallest unit" in response.json()["detail"]
    invoice = (await invoicing.get(f"/v1/invoices/{invoice_id}", headers=auth(Role.AUDITOR))).json()
    assert (invoice["credited"], invoice["open_amount"]) == ("0.00", "100.00")


async def test_a_legacy_invoice_finer_than_a_cent_is_not_imported(
    invoicing: httpx.AsyncClient, auth: AuthHeaders, bus: InProcessBus
) -> None:
    customer = job_site_customer()
    await bus.publish([event_message(CustomerRegistered(customer=customer))])
    line = {"description": "Legacy", "quantity": "1", "unit": "ea", "unit_price": "100.005"}
    legacy = {"customer_id": str(customer.id), "invoice_date": "2026-10-01"}
    sub_cent = legacy | {"number": "L-1", "lines": [line | {"amount": "1.005"}], "total": "1.005"}
    whole = legacy | {"number": "L-2", "lines": [line | {"amount": "1.01"}], "total": "1.01"}
    refused = await invoicing.post(
        "/v1/invoices/import", json={"invoices": [sub_cent]}, headers=auth(Role.AR_COORDINATOR)
    )
    imported = await invoicing.post(
        "/v1/invoices/import", json={"invoices": [whole]}, headers=auth(Role.AR_COORDINATOR)
    )
    assert (refused.status_code, imported.status_code) == (422, 201), (refused.text, imported.text)
    assert "smallest unit" in refused.json()["detail"]


async def test_payments_refuse_an_exponent_and_answer_plain_amounts(
    tmp_path: Path,
    platform: PlatformSettings,
    tokens: TokenAuthority,
    bus: InProcessBus,
    auth: AuthHeaders,
) -> None:
    body = {"method": "check", "currency": "USD", "received_on": str(Clock().today())}
    async with _client(payments_definition, tmp_path, platform, tokens, bus) as api:
        exponent = await api.post(
            "/v1/payments", json=body | {"amount": "1e3"}, headers=auth(Role.AR_COORDINATOR)
        )
        too_large = await api.post(
            "/v1/payments",
            json=body | {"amount": "1000000000.00"},
            headers=auth(Role.AR_COORDINATOR),
        )
        plain = await api.post(
            "/v1/payments", json=body | {"amount": 1250.5}, headers=auth(Role.AR_COORDINATOR)
        )
    _refused(exponent, "amount")
    _refused(too_large, "amount")
    assert plain.status_code == 201, plain.text
    assert (plain.json()["amount"], plain.json()["unapplied"]) == ("1250.50", "1250.50")


async def test_credit_refuses_an_exponent_or_a_fraction_of_a_cent(
    tmp_path: Path,
    platform: PlatformSettings,
    tokens: TokenAuthority,
    bus: InProcessBus,
    auth: AuthHeaders,
) -> None:
    customer = job_site_customer()
    line = {"terms": {"kind": "net", "days": 30}, "reason": "annual review"}
    manager = auth(Role.CREDIT_MANAGER)
    async with _client(credit_definition, tmp_path, platform, tokens, bus) as api:
        await bus.publish([event_message(CustomerRegistered(customer=customer))])
        exponent = await api.post(
            "/v1/authorizations",
            json={"customer_id": str(customer.id), "amount": "1e3"},
            headers=auth(*Role),
        )
        sub_cent_line = await api.put(
            f"/v1/credit-lines/{customer.id}",
            json=line | {"credit_limit": "5000.001"},
            headers=manager,
        )
        limit = await api.put(
            f"/v1/credit-lines/{customer.id}", json=line | {"credit_limit": "5000"}, headers=manager
        )
        sub_cent_order = await api.post(
            "/v1/authorizations",
            json={"customer_id": str(customer.id), "amount": "10.005"},
            headers=auth(*Role),
        )
    _refused(exponent, "amount")
    assert (sub_cent_line.status_code, limit.status_code) == (422, 200), sub_cent_line.text
    assert "smallest unit" in sub_cent_line.json()["detail"]
    assert limit.json()["credit_limit"] == "5000.00"
    assert sub_cent_order.status_code == 422, sub_cent_order.text


async def test_collections_chase_the_largest_invoices_and_refuse_an_exponent_promise(
    tmp_path: Path,
    platform: PlatformSettings,
    tokens: TokenAuthority,
    bus: InProcessBus,
    auth: AuthHeaders,
) -> None:
    largest = "999999999.99"
    books, events = overdue_customer("C-HUGE", *[(75, largest)] * 20)
    async with _client(collections_definition, tmp_path, platform, tokens, bus) as api:
        await publish(bus, *events)
        worklist = await api.get("/v1/worklist", headers=auth(Role.AR_COORDINATOR))
        over_60 = await api.get("/v1/reports/over-60-days", headers=auth(Role.AR_COORDINATOR))
        promise = await api.post(
            "/v1/promises",
            json={
                "customer_id": str(books.customer_id),
                "amount": "1e3",
                "promised_on": str(Clock().today()),
            },
            headers=auth(Role.AR_COORDINATOR),
        )
    assert worklist.status_code == 200, worklist.text
    [row] = worklist.json()
    assert (row["past_due"], row["to_chase"]) == ("19999999999.80", "19999999999.80")
    assert over_60.status_code == 200, over_60.text
    _refused(promise, "amount")


async def test_collections_refuse_a_promise_or_dispute_finer_than_a_cent(
    tmp_path: Path,
    platform: PlatformSettings,
    tokens: TokenAuthority,
    bus: InProcessBus,
    auth: AuthHeaders,
) -> None:
    books, events = overdue_customer("C-1", (75, "100"))
    customer = {"customer_id": str(books.customer_id), "amount": "0.001"}
    async with _client(collections_definition, tmp_path, platform, tokens, bus) as api:
        await publish(bus, *events)
        promise = await api.post(
            "/v1/promises",
            json=customer | {"promised_on": str(Clock().today())},
            headers=auth(Role.AR_COORDINATOR),
        )
        dispute = await api.post(
            "/v1/disputes",
            json=customer | {"reason": "Hours disputed", "department": "operations"},
            headers=auth(Role.AR_COORDINATOR),
        )
        promises = await api.get("/v1/promises", headers=auth(Role.AUDITOR))
    assert (promise.status_code, dispute.status_code) == (422, 422), (promise.text, dispute.text)
    assert "smallest unit" in promise.json()["detail"]
    assert promises.json()["items"] == []


@pytest.mark.postgres
async def test_money_from_postgresql_comes_out_at_the_minor_unit_as_from_sqlite(
    postgres_server: PostgresServer,
    platform: PlatformSettings,
    tokens: TokenAuthority,
    bus: InProcessBus,
    auth: AuthHeaders,
    tmp_path: Path,
) -> None:
    database = f"money_{uuid.uuid4().hex[:10]}"
    postgres_server.create_database(database)
    books, events = overdue_customer("C-PG", (75, "8410"))
    async with running_service(
        collections_definition,
        tmp_path,
        platform,
        tokens,
        bus,
        database_url=postgres_server.url(database),
    ) as service:
        transport = httpx.ASGITransport(app=service.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as api:
            await publish(bus, *events)
            worklist = await api.get("/v1/worklist", headers=auth(Role.AR_COORDINATOR))
    [row] = worklist.json()
    assert (row["past_due"], row["disputed"], row["promised"]) == ("8410.00", "0.00", "0.00")
