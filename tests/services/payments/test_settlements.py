"""What follows an application: refunds of over-payments, short pays left open or written off,
deposits applied when their invoice is issued, NSF reversals, credit memos and voids."""

from typing import Any

import httpx

from shared.auth import Role
from shared.bus import InProcessBus
from shared.events.customers import CustomerSnapshot
from tests.conftest import AuthHeaders
from tests.services.payments.conftest import Published, payment_body, post_payment
from tests.services.payments.events import credit_memo, deliver_invoicing, invoice, voided
from tests.support import eventually


async def _balance(api: httpx.AsyncClient, auth: AuthHeaders, invoice_id: Any) -> dict[str, Any]:
    response = await api.get(f"/v1/invoice-balances/{invoice_id}", headers=auth(Role.AUDITOR))
    assert response.status_code == 200, response.text
    return response.json()


def _deposit_body(customer: CustomerSnapshot, **tie: str) -> dict[str, Any]:
    """A 500.00 wire deposit, tied to the ticket, PO or job site given."""
    return {
        "customer_id": str(customer.id),
        "method": "wire",
        "amount": "500.00",
        "currency": "USD",
        "received_on": "2026-10-20",
    } | tie


async def test_over_payment_is_refunded_after_supervisor_approval(
    api: httpx.AsyncClient,
    auth: AuthHeaders,
    bus: InProcessBus,
    acme: CustomerSnapshot,
    published: Published,
) -> None:
    await deliver_invoicing(bus, invoice(acme, "INV-2026-000900", "400.00"))
    payment = await post_payment(
        api,
        auth,
        payment_body(
            acme.id,
            "460.00",
            remittance=[{"invoice_number": "INV-2026-000900", "amount_paid": "460.00"}],
        ),
    )
    assert payment["unapplied"] == "60.00"

    requested = await api.post(
        "/v1/refunds",
        json={"payment_id": payment["id"], "amount": "60.00", "reason": "paid twice"},
        headers=auth(Role.AR_COORDINATOR, subject="cora"),
    )
    assert requested.status_code == 201, requested.text
    refund = requested.json()
    assert refund["status"] == "pending_approval"
    by_coordinator = await api.post(
        f"/v1/refunds/{refund['id']}/approve", headers=auth(Role.AR_COORDINATOR)
    )
    assert by_coordinator.status_code == 403
    by_requester = await api.post(
        f"/v1/refunds/{refund['id']}/approve", headers=auth(Role.AR_SUPERVISOR, subject="cora")
    )
    assert by_requester.status_code == 422

    approved = await api.post(
        f"/v1/refunds/{refund['id']}/approve", headers=auth(Role.AR_SUPERVISOR, subject="sam")
    )

    assert approved.status_code == 200, approved.text
    assert (approved.json()["status"], approved.json()["decided_by"]) == ("issued", "sam")
    issued = (await eventually(lambda: _first(published, "refund.issued"))).payload
    assert (issued["amount"], issued["approved_by"]) == ("60.00", "sam")
    postings = {(p["account"], p["debit"], p["credit"]) for p in issued["journal"]["postings"]}
    assert postings == {("2110", "60.00", "0"), ("1010", "0", "60.00")}
    after = (await api.get(f"/v1/payments/{payment['id']}", headers=auth(Role.AUDITOR))).json()
    assert after["unapplied"] == "0.00"


async def _first(published: Published, event_type: str) -> Any:
    found = published(event_type)
    return found[0] if found else None


async def test_refund_of_more_than_the_unapplied_credit_is_refused(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot
) -> None:
    payment = await post_payment(api, auth, payment_body(acme.id, "50.00"))
    response = await api.post(
        "/v1/refunds",
        json={"payment_id": payment["id"], "amount": "50.01", "reason": "x"},
        headers=auth(Role.AR_COORDINATOR),
    )
    assert response.status_code == 422
    assert "only 50.00 unapplied" in response.json()["detail"]


async def test_short_payment_stays_open_with_its_reason_then_is_written_off_within_tolerance(
    api: httpx.AsyncClient,
    auth: AuthHeaders,
    bus: InProcessBus,
    acme: CustomerSnapshot,
    published: Published,
) -> None:
    issued = invoice(acme, "INV-2026-001000", "1000.00")
    await deliver_invoicing(bus, issued)
    await post_payment(
        api,
        auth,
        payment_body(
            acme.id,
            "988.00",
            remittance=[
                {
                    "invoice_number": "INV-2026-001000",
                    "amount_paid": "988.00",
                    "reason_code": "fuel_surcharge",
                },
            ],
        ),
    )
    open_item = await _balance(api, auth, issued.invoice_id)
    assert (open_item["balance"], open_item["status"], open_item["short_pay_reason"]) == (
        "12.00",
        "open",
        "fuel_surcharge",
    )

    response = await api.post(
        "/v1/write-offs",
        json={"invoice_id": str(issued.invoice_id), "reason": "small balance"},
        headers=auth(Role.AR_COORDINATOR),
    )

    assert response.status_code == 201, response.text
    assert response.json()["amount"] == "12.00"
    assert (await _balance(api, auth, issued.invoice_id))["status"] == "paid"
    posted = (await eventually(lambda: _first(published, "write_off.posted"))).payload
    postings = {(p["account"], p["debit"], p["credit"]) for p in posted["journal"]["postings"]}
    assert postings == {("6150", "12.00", "0"), ("1200", "0", "12.00")}


async def test_coordinator_may_not_write_off_above_the_tolerance_but_a_supervisor_may(
    api: httpx.AsyncClient, auth: AuthHeaders, bus: InProcessBus, acme: CustomerSnapshot
) -> None:
    issued = invoice(acme, "INV-2026-001100", "1000.00")
    await deliver_invoicing(bus, issued)
    await post_payment(
        api,
        auth,
        payment_body(
            acme.id,
            "900.00",
            remittance=[
                {
                    "invoice_number": "INV-2026-001100",
                    "amount_paid": "900.00",
                    "reason_code": "damaged",
                },
            ],
        ),
    )
    body = {"invoice_id": str(issued.invoice_id), "reason": "uncollectible"}

    refused = await api.post("/v1/write-offs", json=body, headers=auth(Role.AR_COORDINATOR))
    assert refused.status_code == 422
    assert "small-balance tolerance" in refused.json()["detail"]
    assert (await _balance(api, auth, issued.invoice_id))["balance"] == "100.00"

    allowed = await api.post("/v1/write-offs", json=body, headers=auth(Role.AR_SUPERVISOR))
    assert allowed.status_code == 201, allowed.text


async def test_a_claims_denied_part_is_written_off_as_bad_debt_within_authority(
    api: httpx.AsyncClient,
    auth: AuthHeaders,
    bus: InProcessBus,
    acme: CustomerSnapshot,
    published: Published,
) -> None:
    """The AR team does not rebill a denied part of a claim: payments writes off that part
    alone (Dr bad debt / Cr AR, with the reason), the rest stays open under the payer."""
    issued = invoice(acme, "INV-2026-001150", "1000.00")
    await deliver_invoicing(bus, issued)
    denied = {
        "invoice_id": str(issued.invoice_id),
        "reason": "claim WAR-55120 denied: late_filing",
    }

    written = await api.post(
        "/v1/write-offs", json=denied | {"amount": "20.00"}, headers=auth(Role.AR_COORDINATOR)
    )
    assert written.status_code == 201, written.text
    assert (written.json()["amount"], written.json()["reason"]) == ("20.00", denied["reason"])
    open_item = await _balance(api, auth, issued.invoice_id)
    assert (open_item["balance"], open_item["status"]) == ("980.00", "open")
    posted = (await eventually(lambda: _first(published, "write_off.posted"))).payload
    postings = {(p["account"], p["debit"], p["credit"]) for p in posted["journal"]["postings"]}
    assert postings == {("6150", "20.00", "0"), ("1200", "0", "20.00")}

    # The coordinator's tolerance counts what they wrote off on the invoice already.
    over = await api.post(
        "/v1/write-offs", json=denied | {"amount": "10.00"}, headers=auth(Role.AR_COORDINATOR)
    )
    assert over.status_code == 422 and "small-balance tolerance" in over.json()["detail"]
    beyond = await api.post(
        "/v1/write-offs", json=denied | {"amount": "980.01"}, headers=auth(Role.AR_SUPERVISOR)
    )
    assert beyond.status_code == 422 and "980.00 open" in beyond.json()["detail"]
    finer = await api.post(
        "/v1/write-offs", json=denied | {"amount": "1.001"}, headers=auth(Role.AR_SUPERVISOR)
    )
    assert finer.status_code == 422
    rest = await api.post(
        "/v1/write-offs", json=denied | {"amount": "980.00"}, headers=auth(Role.AR_SUPERVISOR)
    )
    assert rest.status_code == 201, rest.text
    assert (await _balance(api, auth, issued.invoice_id))["status"] == "paid"


async def test_deposit_is_applied_when_the_invoice_for_its_ticket_is_issued(
    api: httpx.AsyncClient,
    auth: AuthHeaders,
    bus: InProcessBus,
    acme: CustomerSnapshot,
    published: Published,
) -> None:
    response = await api.post(
        "/v1/deposits",
        json=_deposit_body(acme, ticket_number="T-7781"),
        headers=auth(Role.AR_COORDINATOR),
    )
    assert response.status_code == 201, response.text
    deposit = response.json()

    issued = invoice(acme, "INV-2026-001200", "1200.00", ticket_number="T-7781")
    await deliver_invoicing(bus, issued)

    assert (await _balance(api, auth, issued.invoice_id))["balance"] == "700.00"
    held = (await api.get(f"/v1/deposits/{deposit['id']}", headers=auth(Role.AUDITOR))).json()
    assert held["remaining"] == "0.00"
    applied = (await eventually(lambda: _first(published, "payment.applied"))).payload
    assert (applied["deposit_id"], applied["amount"]) == (deposit["id"], "500.00")
    postings = {(p["account"], p["debit"], p["credit"]) for p in applied["journal"]["postings"]}
    assert postings == {("2120", "500.00", "0"), ("1200", "0", "500.00")}
    received = (await eventually(lambda: _first(published, "deposit.received"))).payload
    assert {(p["account"], p["debit"]) for p in received["journal"]["postings"]} == {
        ("1010", "500.00"),
        ("2120", "0"),
    }


async def test_deposit_needs_a_ticket_job_site_or_po(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot
) -> None:
    response = await api.post(
        "/v1/deposits", json=_deposit_body(acme), headers=auth(Role.AR_COORDINATOR)
    )
    assert response.status_code == 422


async def test_nsf_reversal_undoes_applications_and_reopens_the_invoices(
    api: httpx.AsyncClient,
    auth: AuthHeaders,
    bus: InProcessBus,
    acme: CustomerSnapshot,
    published: Published,
) -> None:
    first, second = (
        invoice(acme, "INV-2026-001301", "250.00"),
        invoice(acme, "INV-2026-001302", "150.00"),
    )
    await deliver_invoicing(bus, first, second)
    payment = await post_payment(
        api,
        auth,
        payment_body(
            acme.id,
            "400.00",
            remittance=[
                {"invoice_number": "INV-2026-001301", "amount_paid": "250.00"},
                {"invoice_number": "INV-2026-001302", "amount_paid": "150.00"},
            ],
        ),
    )
    assert payment["unapplied"] == "0.00"

    response = await api.post(
        f"/v1/payments/{payment['id']}/reverse",
        json={"reason": "NSF", "reversed_on": "2026-11-10"},
        headers=auth(Role.AR_COORDINATOR),
    )

    assert response.status_code == 200, response.text
    reversed_ = response.json()
    assert reversed_["status"] == "reversed"
    assert {a["status"] for a in reversed_["applications"]} == {"unapplied"}
    for issued in (first, second):
        assert (await _balance(api, auth, issued.invoice_id))["status"] == "open"
    event = (await eventually(lambda: _first(published, "payment.reversed"))).payload
    postings = {(p["account"], p["debit"], p["credit"]) for p in event["journal"]["postings"]}
    assert postings == {("2110", "400.00", "0"), ("1010", "0", "400.00")}
    assert len(await eventually(lambda: _all(published, "payment.unapplied", 2))) == 2
    again = await api.post(
        f"/v1/payments/{payment['id']}/reverse",
        json={"reason": "NSF"},
        headers=auth(Role.AR_COORDINATOR),
    )
    assert again.status_code == 422


async def _all(published: Published, event_type: str, count: int) -> list[Any]:
    found = published(event_type)
    return found if len(found) >= count else []


async def test_credit_memo_reduces_and_void_closes_the_open_item(
    api: httpx.AsyncClient, auth: AuthHeaders, bus: InProcessBus, acme: CustomerSnapshot
) -> None:
    issued = invoice(acme, "INV-2026-001400", "800.00")
    await deliver_invoicing(bus, issued, credit_memo(issued, "300.00"))
    assert (await _balance(api, auth, issued.invoice_id))["balance"] == "500.00"

    payment = await post_payment(api, auth, payment_body(acme.id, "500.00"))
    assert payment["applications"][0]["invoice_number"] == "INV-2026-001400"
    await deliver_invoicing(bus, voided(issued))

    assert (await _balance(api, auth, issued.invoice_id))["status"] == "voided"
    after = (await api.get(f"/v1/payments/{payment['id']}", headers=auth(Role.AUDITOR))).json()
    assert after["unapplied"] == "500.00"  # the cash came back to be applied elsewhere


async def test_an_invoice_issued_twice_opens_once_and_takes_its_deposit_once(
    api: httpx.AsyncClient, auth: AuthHeaders, bus: InProcessBus, acme: CustomerSnapshot
) -> None:
    await api.post(
        "/v1/deposits",
        json=_deposit_body(acme, po_number="PO-55"),
        headers=auth(Role.AR_COORDINATOR),
    )
    issued = invoice(acme, "INV-2026-001500", "1000.00", po_number="PO-55")

    # A replay delivers the same invoice again under a new event id.
    await deliver_invoicing(bus, issued)
    await deliver_invoicing(bus, issued)

    assert (await _balance(api, auth, issued.invoice_id))["balance"] == "500.00"
    applications = (
        await api.get(
            "/v1/applications",
            params={"invoice_id": str(issued.invoice_id)},
            headers=auth(Role.AUDITOR),
        )
    ).json()["items"]
    assert [a["amount"] for a in applications] == ["500.00"]


async def test_applying_to_an_invoice_not_heard_of_yet_is_a_409_to_retry_not_a_404(
    api: httpx.AsyncClient, auth: AuthHeaders, bus: InProcessBus, acme: CustomerSnapshot
) -> None:
    """Invoicing issued it a moment ago; its event has not reached payments yet."""
    payment = await post_payment(api, auth, payment_body(acme.id, "400.00"))
    issued = invoice(acme, "INV-2026-001600", "400.00")
    body = {"applications": [{"invoice_id": str(issued.invoice_id), "amount": "400.00"}]}
    url = f"/v1/payments/{payment['id']}/applications"

    early = await api.post(url, json=body, headers=auth(Role.AR_COORDINATOR))
    assert early.status_code == 409, early.text
    assert early.headers["retry-after"] == "1"
    assert early.json()["type"] == "urn:ar-platform:problem:not-known-yet"
    assert str(issued.invoice_id) in early.json()["detail"]

    await deliver_invoicing(bus, issued)
    retried = await api.post(url, json=body, headers=auth(Role.AR_COORDINATOR))
    assert retried.status_code == 201, retried.text
    assert (await _balance(api, auth, issued.invoice_id))["balance"] == "0.00"
