"""A customer's currency changes only once nothing is open in the old one: customers learns what
is open on each invoice from invoicing's and payments' events."""

import uuid
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.customers.service import definition
from shared.auth import Role, TokenAuthority
from shared.bus import InProcessBus
from shared.events.catalog import EventPayload, dead_letter_topic, topic_for
from shared.events.journal import JournalEntry, Posting
from shared.events.payments import (
    CreditMemoApplied,
    PaymentApplied,
    PaymentUnapplied,
    WriteOffPosted,
)
from shared.settings import PlatformSettings
from tests.conftest import AuthHeaders
from tests.services.customer_events import customer, service_api
from tests.services.payments.events import invoice, voided
from tests.support import event_message, new_customer

ON = date(2026, 11, 20)


@pytest.fixture
def bus() -> InProcessBus:
    return InProcessBus()


@pytest.fixture
async def api(
    tmp_path: Path, platform: PlatformSettings, tokens: TokenAuthority, bus: InProcessBus
) -> AsyncIterator[httpx.AsyncClient]:
    async with service_api(definition, tmp_path, platform, tokens, bus) as client:
        yield client


async def deliver(bus: InProcessBus, *events: EventPayload) -> None:
    await bus.publish([event_message(e) for e in events])
    for producer in ("invoicing", "payments"):
        assert not bus.retained[dead_letter_topic(topic_for(producer))]


def _journal(document_id: uuid.UUID, amount: Decimal) -> JournalEntry:
    return JournalEntry(
        entry_id=uuid.uuid4(),
        posted_on=ON,
        currency="USD",
        source="payment_application",
        document_id=document_id,
        postings=[Posting(account="2110", debit=amount), Posting(account="1200", credit=amount)],
    )


def applied(issued: Any, amount: str, *, unapplied: bool = False) -> EventPayload:
    application_id, value = uuid.uuid4(), Decimal(amount)
    facts: dict[str, Any] = dict(
        application_id=application_id,
        payment_id=uuid.uuid4(),
        customer_id=issued.customer_id,
        invoice_id=issued.invoice_id,
        invoice_number=issued.number,
        currency=issued.currency,
        amount=value,
        journal=_journal(application_id, value),
    )
    if unapplied:
        return PaymentUnapplied(**facts, unapplied_on=ON, reason="applied to the wrong invoice")
    return PaymentApplied(**facts, applied_on=ON)


async def _request_cad(api: httpx.AsyncClient, auth: AuthHeaders, customer_id: str) -> str:
    requested = await api.post(
        f"/v1/customers/{customer_id}/change-requests",
        json={"currency": "CAD", "reason": "moved to Alberta"},
        headers=auth(Role.CREDIT_MANAGER, subject="cm-ruiz"),
    )
    assert requested.status_code == 201, requested.text
    return f"/v1/customers/{customer_id}/change-requests/{requested.json()['id']}/approve"


async def _approve(api: httpx.AsyncClient, auth: AuthHeaders, url: str) -> httpx.Response:
    return await api.post(url, headers=auth(Role.AR_SUPERVISOR, subject="sup-lee"))


async def _registered(api: httpx.AsyncClient, auth: AuthHeaders) -> Any:
    created = await api.post(
        "/v1/customers", json=new_customer(), headers=auth(Role.AR_COORDINATOR)
    )
    assert created.status_code == 201, created.text
    body = created.json()
    return customer(id=uuid.UUID(body["id"]), currency=body["currency"])


async def test_a_currency_change_with_nothing_open_is_approved(
    api: httpx.AsyncClient, auth: AuthHeaders, bus: InProcessBus
) -> None:
    snapshot = await _registered(api, auth)
    # An invoice paid in full, and one voided, leave nothing open.
    paid, void = invoice(snapshot, "INV-1", "100.00"), invoice(snapshot, "INV-2", "50.00")
    await deliver(bus, paid, void, applied(paid, "100.00"), voided(void))
    approved = await _approve(api, auth, await _request_cad(api, auth, str(snapshot.id)))
    assert approved.status_code == 200, approved.text
    assert approved.json()["currency"] == "CAD"


async def test_a_currency_change_waits_until_the_open_invoices_are_settled(
    api: httpx.AsyncClient, auth: AuthHeaders, bus: InProcessBus
) -> None:
    snapshot = await _registered(api, auth)
    first, second = invoice(snapshot, "INV-10", "100.00"), invoice(snapshot, "INV-11", "40.00")
    # A settlement may arrive before its invoice: payments' events travel on another topic.
    await deliver(bus, applied(first, "30.00"), first, second)
    approve = await _request_cad(api, auth, str(snapshot.id))

    refused = await _approve(api, auth, approve)
    assert refused.status_code == 409, refused.text
    problem = refused.json()
    assert problem["type"].endswith("invoices-open-in-old-currency")
    assert problem["open_count"] == 2
    assert [(i["number"], i["balance"]) for i in problem["open_invoices"]] == [
        ("INV-10", "70.00"),
        ("INV-11", "40.00"),
    ]
    assert "INV-10, INV-11" in problem["detail"] and "USD" in problem["detail"]
    unchanged = await api.get(f"/v1/customers/{snapshot.id}", headers=auth(Role.AUDITOR))
    assert unchanged.json()["currency"] == "USD"

    # The rest is paid, then partly put back and settled again by a memo and a write-off.
    back = applied(first, "20.00", unapplied=True)
    await deliver(bus, applied(first, "70.00"), back, applied(second, "40.00"))
    still = await _approve(api, auth, approve)
    assert still.status_code == 409 and still.json()["open_count"] == 1, still.text
    memo = CreditMemoApplied(
        credit_memo_id=uuid.uuid4(),
        credit_memo_number="CM-1",
        customer_id=snapshot.id,
        invoice_id=first.invoice_id,
        invoice_number=first.number,
        currency="USD",
        amount=Decimal("15.00"),
        on_account=Decimal(0),
        applied_on=ON,
    )
    write_off = WriteOffPosted(
        write_off_id=uuid.uuid4(),
        customer_id=snapshot.id,
        invoice_id=first.invoice_id,
        invoice_number=first.number,
        currency="USD",
        amount=Decimal("5.00"),
        posted_on=ON,
        reason="small balance",
        approved_by="sup-lee",
        journal=_journal(uuid.uuid4(), Decimal("5.00")),
    )
    await deliver(bus, memo, write_off)

    approved = await _approve(api, auth, approve)
    assert approved.status_code == 200, approved.text
    assert approved.json()["currency"] == "CAD"
