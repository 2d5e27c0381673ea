"""Claims billed to a third-party payer: a draft named to the payer is owed by it; a denial
credits the payer's invoice and bills exactly that to the customer, linked to the claim."""

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest

from shared.auth import Role
from shared.bus import BusMessage, InProcessBus
from shared.events.catalog import dead_letter_topic, topic_for
from shared.events.customers import CustomerRegistered, CustomerSnapshot, PaymentTerms
from shared.events.envelope import EventEnvelope
from shared.events.journal import JournalEntry, Posting
from shared.events.payments import WriteOffPosted
from tests.conftest import AuthHeaders
from tests.services.customer_events import deliver
from tests.services.invoicing.conftest import job_site_customer
from tests.services.invoicing.test_rentals import published
from tests.support import eventually

pytestmark = pytest.mark.usefixtures("taxed")

LINES = [
    {
        "description": "Warranty repair labor",
        "quantity": "4",
        "unit": "hr",
        "unit_price": "100.00",
        "taxability": "labor",
        "service_line": "pumping",
    },
    {
        "description": "Pump seal (warranty part)",
        "quantity": "1",
        "unit": "ea",
        "unit_price": "200.00",
        "taxability": "goods",
        "service_line": "parts",
    },
]


@pytest.fixture
async def payer(bus: InProcessBus, api: httpx.AsyncClient) -> CustomerSnapshot:
    """The manufacturer whose warranty pays for the work, on its own terms (net 45)."""
    snapshot = job_site_customer(
        legal_name="Gorman Pumps Warranty Dept",
        account_number="C000900",
        payment_terms=PaymentTerms(days=45),
    )
    await deliver(bus, CustomerRegistered(customer=snapshot))
    return snapshot


async def _ok(response: httpx.Response, code: int = 200) -> Any:
    assert response.status_code == code, response.text
    return response.json()


async def claim(
    api: httpx.AsyncClient, auth: AuthHeaders, customer: CustomerSnapshot, payer: CustomerSnapshot
) -> dict[str, Any]:
    draft = await _ok(
        await api.post(
            "/v1/invoices",
            json={"customer_id": str(customer.id), "job_site": "Yard 4", "lines": LINES},
            headers=auth(Role.AR_COORDINATOR),
        ),
        201,
    )
    named = await _ok(
        await api.post(
            f"/v1/invoices/{draft['id']}/claim",
            json={"payer_id": str(payer.id), "claim_number": "WAR-55120"},
            headers=auth(Role.AR_COORDINATOR),
        )
    )
    assert (named["customer_id"], named["claim_for"], named["claim_number"]) == (
        str(payer.id),
        str(customer.id),
        "WAR-55120",
    )
    return await _ok(
        await api.post(f"/v1/invoices/{draft['id']}/issue", headers=auth(Role.AR_COORDINATOR))
    )


async def test_a_claim_is_owed_by_the_payer_on_its_terms_naming_the_customer(
    api: httpx.AsyncClient,
    auth: AuthHeaders,
    acme: CustomerSnapshot,
    payer: CustomerSnapshot,
    bus: InProcessBus,
) -> None:
    issued = await claim(api, auth, acme, payer)
    assert (issued["customer_name"], issued["account_number"]) == (
        "Gorman Pumps Warranty Dept",
        "C000900",
    )
    assert issued["terms"]["days"] == 45

    async def sent() -> list[dict[str, Any]]:
        return published(bus, "invoice.issued")

    [event] = await eventually(sent)
    # Payments, collections and credit age it under the payer: the owing party is the key.
    assert (event["customer_id"], event["claim_for"], event["claim_number"]) == (
        str(payer.id),
        str(acme.id),
        "WAR-55120",
    )


async def test_a_partial_denial_moves_exactly_the_denied_part_to_the_customer(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot, payer: CustomerSnapshot
) -> None:
    issued = await claim(api, auth, acme, payer)
    denial = await _ok(
        await api.post(
            f"/v1/invoices/{issued['id']}/claim-denials",
            json={
                "reason_code": "not_covered",
                "reason": "seal damage is wear, not a defect",
                "lines": [{"line": 2, "amount": "200.00"}],
            },
            headers=auth(Role.AR_COORDINATOR),
        )
    )
    rebill = denial["invoice"]
    memo = await _ok(
        await api.get(f"/v1/credit-memos/{denial['credit_memo_id']}", headers=auth(Role.AUDITOR))
    )
    # The part is taxed in Midland (6.25% + 0.5% + 1.5%): 200.00 + 16.50 moves, no more.
    assert denial["denied"] == memo["total"] == rebill["total"] == "216.50"
    assert (memo["customer_id"], memo["invoice_id"], memo["reason_code"]) == (
        str(payer.id),
        issued["id"],
        "not_covered",
    )
    assert (rebill["customer_id"], rebill["rebill_of"], rebill["claim_number"]) == (
        str(acme.id),
        issued["id"],
        "WAR-55120",
    )
    assert rebill["status"] == "issued" and rebill["claim_for"] is None
    denied_line = "Claim WAR-55120 denied: Adjustment: Pump seal (warranty part)"
    assert rebill["lines"][0]["description"] == denied_line
    assert sum(Decimal(t["amount"]) for t in rebill["taxes"]) == Decimal("16.50")

    history = await _ok(
        await api.get(f"/v1/invoices/{issued['id']}/history", headers=auth(Role.AUDITOR))
    )
    denied = next(h for h in history if h["action"] == "claim_denied")
    assert denied["changes"]["credit_memo"] == memo["number"]
    assert denied["changes"]["rebilled_on"] == rebill["number"]
    assert [h["action"] for h in history][:2] == ["invoice_drafted", "claim_billed_to_payer"]
    rebill_history = await _ok(
        await api.get(f"/v1/invoices/{rebill['id']}/history", headers=auth(Role.AUDITOR))
    )
    assert any(
        h["action"] == "claim_denial_rebilled" and h["changes"]["claim"] == issued["number"]
        for h in rebill_history
    )
    # Journal: the memo reverses what it credited, the rebill posts the same; each balances.
    entries = (await api.get("/v1/journal?limit=500", headers=auth(Role.AUDITOR))).json()["items"]
    for entry in entries:
        debits = sum(Decimal(p["debit"]) for p in entry["postings"])
        assert debits == sum(Decimal(p["credit"]) for p in entry["postings"]), entry


async def test_a_denial_not_rebilled_is_a_write_off_in_payments_and_only_a_claim_is_denied(
    api: httpx.AsyncClient,
    auth: AuthHeaders,
    bus: InProcessBus,
    acme: CustomerSnapshot,
    payer: CustomerSnapshot,
) -> None:
    issued = await claim(api, auth, acme, payer)
    url = f"/v1/invoices/{issued['id']}/claim-denials"
    # Invoicing no longer writes a denial off by a credit memo (revenue reversed): the request
    # is refused and nothing is issued.
    refused = await api.post(
        url,
        json={
            "reason_code": "late_filing",
            "lines": [{"line": 1, "amount": "100.00"}],
            "rebill": False,
        },
        headers=auth(Role.AR_COORDINATOR),
    )
    assert refused.status_code == 422
    before = await _ok(await api.get(f"/v1/invoices/{issued['id']}", headers=auth(Role.AUDITOR)))
    assert before["open_amount"] == issued["total"]
    # Payments writes it off (Dr bad debt / Cr AR): the claim's lineage shows it, its open
    # amount follows.
    amount = Decimal("100.00")
    written_off = WriteOffPosted(
        write_off_id=uuid.uuid4(),
        customer_id=payer.id,
        invoice_id=issued["id"],
        invoice_number=issued["number"],
        currency="USD",
        amount=amount,
        posted_on=date(2026, 12, 1),
        reason="claim WAR-55120 denied: late_filing",
        approved_by="sam",
        journal=JournalEntry(
            entry_id=uuid.uuid4(),
            posted_on=date(2026, 12, 1),
            currency="USD",
            source="write_off",
            document_id=uuid.uuid4(),
            postings=[
                Posting(account="6150", debit=amount),
                Posting(account="1200", credit=amount),
            ],
        ),
    )
    key = str(payer.id)
    envelope = EventEnvelope(
        type=written_off.event_type,
        version=written_off.event_version,
        producer=written_off.producer,
        customer_id=key,
        aggregate_id=str(issued["id"]),
        payload=written_off.model_dump(mode="json"),
    )
    topic = topic_for("payments")
    await bus.publish([BusMessage(topic=topic, key=key, value=envelope.to_bytes())])
    assert not bus.retained[dead_letter_topic(topic)]
    history = await _ok(
        await api.get(f"/v1/invoices/{issued['id']}/history", headers=auth(Role.AUDITOR))
    )
    [entry] = [h for h in history if h["action"] == "claim_written_off"]
    assert (entry["changes"]["amount"], entry["reason"]) == ("100.00", written_off.reason)
    after = await _ok(await api.get(f"/v1/invoices/{issued['id']}", headers=auth(Role.AUDITOR)))
    assert Decimal(after["open_amount"]) == Decimal(issued["total"]) - amount
    assert not any(h["action"] == "claim_denied" for h in history)
    whole = {"reason_code": "not_covered"}
    response = await api.post(url, json=whole, headers=auth(Role.AR_COORDINATOR))
    assert response.status_code == 422  # the whole claim is more than is still open
    response = await api.post(
        url,
        json={"reason_code": "not_covered", "lines": [{"line": 1, "amount": "50.00"}]},
        headers=auth(Role.AR_COORDINATOR),
    )
    assert response.status_code == 200, response.text

    plain = await _ok(
        await api.post(
            "/v1/invoices",
            json={"customer_id": str(acme.id), "job_site": "Yard 4", "lines": LINES},
            headers=auth(Role.AR_COORDINATOR),
        ),
        201,
    )
    await _ok(
        await api.post(f"/v1/invoices/{plain['id']}/issue", headers=auth(Role.AR_COORDINATOR))
    )
    response = await api.post(
        f"/v1/invoices/{plain['id']}/claim-denials", json=whole, headers=auth(Role.AR_COORDINATOR)
    )
    assert response.status_code == 422 and "not a claim" in response.json()["detail"]
    # The payer is never the customer.
    draft = await _ok(
        await api.post(
            "/v1/invoices",
            json={"customer_id": str(acme.id), "lines": LINES},
            headers=auth(Role.AR_COORDINATOR),
        ),
        201,
    )
    itself = await api.post(
        f"/v1/invoices/{draft['id']}/claim",
        json={"payer_id": str(acme.id), "claim_number": "X-2"},
        headers=auth(Role.AR_COORDINATOR),
    )
    assert itself.status_code == 422
    unknown = await api.post(
        f"/v1/invoices/{draft['id']}/claim",
        json={"payer_id": str(acme.id), "claim_number": "X-2", "extra": 1},
        headers=auth(Role.AR_COORDINATOR),
    )
    assert unknown.status_code == 422


async def _issued(api: httpx.AsyncClient, auth: AuthHeaders, customer: CustomerSnapshot) -> Any:
    draft = await _ok(
        await api.post(
            "/v1/invoices",
            json={"customer_id": str(customer.id), "job_site": "Yard 4", "lines": LINES},
            headers=auth(Role.AR_COORDINATOR),
        ),
        201,
    )
    return await _ok(
        await api.post(f"/v1/invoices/{draft['id']}/issue", headers=auth(Role.AR_COORDINATOR))
    )


async def test_naming_a_payer_on_an_issued_invoice_moves_what_is_open_to_the_payer(
    api: httpx.AsyncClient,
    auth: AuthHeaders,
    bus: InProcessBus,
    acme: CustomerSnapshot,
    payer: CustomerSnapshot,
) -> None:
    issued = await _issued(api, auth, acme)
    claim = await _ok(
        await api.post(
            f"/v1/invoices/{issued['id']}/claim",
            json={"payer_id": str(payer.id), "claim_number": "INS-7"},
            headers=auth(Role.AR_COORDINATOR),
        )
    )
    # The payer owes it now, on its own terms; the customer's invoice owes nothing more.
    assert (claim["customer_id"], claim["claim_for"], claim["claim_number"]) == (
        str(payer.id),
        str(acme.id),
        "INS-7",
    )
    assert (claim["status"], claim["rebill_of"], claim["total"]) == (
        "issued",
        issued["id"],
        issued["total"],
    )
    assert claim["terms"]["days"] == 45 and claim["account_number"] == "C000900"
    assert claim["lines"][0]["description"] == "Claim INS-7: Warranty repair labor"
    original = await _ok(await api.get(f"/v1/invoices/{issued['id']}", headers=auth(Role.AUDITOR)))
    assert Decimal(original["open_amount"]) == 0

    # The events every other service ages by: a memo to the customer, the claim to the payer.
    async def relayed() -> list[dict[str, Any]]:  # the outbox relays after the commit
        memos = [m for m in published(bus, "credit_memo.issued") if m["invoice_id"] == issued["id"]]
        claims = [e for e in published(bus, "invoice.issued") if e["invoice_id"] == claim["id"]]
        return memos + claims if memos and claims else []

    [memo, event] = await eventually(relayed)
    assert (memo["customer_id"], memo["total"], memo["reason_code"], memo["rebill"]) == (
        str(acme.id),
        issued["total"],
        "billed_to_payer",
        True,
    )
    assert (event["customer_id"], event["claim_for"], event["rebill_of"]) == (
        str(payer.id),
        str(acme.id),
        issued["id"],
    )
    history = await _ok(
        await api.get(f"/v1/invoices/{issued['id']}/history", headers=auth(Role.AUDITOR))
    )
    [moved] = [h for h in history if h["action"] == "claim_moved_to_payer"]
    assert (moved["changes"]["claim"], moved["changes"]["moved"]) == (
        claim["number"],
        issued["total"],
    )

    # Moved once: it is a claim's original now, with nothing open; the claim is a claim.
    again = await api.post(
        f"/v1/invoices/{claim['id']}/claim",
        json={"payer_id": str(payer.id), "claim_number": "INS-8"},
        headers=auth(Role.AR_COORDINATOR),
    )
    assert again.status_code == 422
    # And it can be denied back to the customer like any claim.
    denial = await _ok(
        await api.post(
            f"/v1/invoices/{claim['id']}/claim-denials",
            json={"reason_code": "not_covered"},
            headers=auth(Role.AR_COORDINATOR),
        )
    )
    assert (denial["invoice"]["customer_id"], denial["denied"]) == (str(acme.id), issued["total"])


async def test_a_payer_named_for_some_lines_takes_exactly_those_and_the_rest_stays_owed(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot, payer: CustomerSnapshot
) -> None:
    issued = await _issued(api, auth, acme)
    url = f"/v1/invoices/{issued['id']}/claim"
    part = {
        "payer_id": str(payer.id),
        "claim_number": "WAR-9",
        "lines": [{"line": 2, "amount": "200.00"}],
    }
    claim = await _ok(await api.post(url, json=part, headers=auth(Role.AR_COORDINATOR)))
    # The seal, taxed in Midland (8.25%): 216.50 moves; the labor stays the customer's.
    assert claim["total"] == "216.50" and claim["customer_id"] == str(payer.id)
    original = await _ok(await api.get(f"/v1/invoices/{issued['id']}", headers=auth(Role.AUDITOR)))
    assert Decimal(original["open_amount"]) == Decimal(issued["total"]) - Decimal("216.50")
    # Never more than is open: the whole invoice no longer fits, nothing is written.
    whole = await api.post(
        url,
        json={"payer_id": str(payer.id), "claim_number": "WAR-10"},
        headers=auth(Role.AR_COORDINATOR),
    )
    assert whole.status_code == 422
    after = await _ok(await api.get(f"/v1/invoices/{issued['id']}", headers=auth(Role.AUDITOR)))
    assert after["open_amount"] == original["open_amount"]
    # Lines are for an issued invoice; a draft moves whole.
    draft = await _ok(
        await api.post(
            "/v1/invoices",
            json={"customer_id": str(acme.id), "lines": LINES},
            headers=auth(Role.AR_COORDINATOR),
        ),
        201,
    )
    response = await api.post(
        f"/v1/invoices/{draft['id']}/claim", json=part, headers=auth(Role.AR_COORDINATOR)
    )
    assert response.status_code == 422
