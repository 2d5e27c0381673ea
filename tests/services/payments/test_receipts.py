"""Recording payments by hand: remittance applied when sure, postings, bad input refused whole."""

from decimal import Decimal

import httpx

from shared.auth import Role
from shared.bus import InProcessBus
from shared.events.customers import CustomerSnapshot
from tests.conftest import AuthHeaders
from tests.services.payments.conftest import Published, payment_body, post_payment
from tests.services.payments.events import deliver_invoicing, invoice
from tests.support import eventually


async def test_payment_with_remittance_is_applied_to_the_named_invoice(
    api: httpx.AsyncClient,
    auth: AuthHeaders,
    bus: InProcessBus,
    acme: CustomerSnapshot,
    published: Published,
) -> None:
    issued = invoice(acme, "INV-2026-000123", "1250.00")
    await deliver_invoicing(bus, issued)

    payment = await post_payment(
        api,
        auth,
        payment_body(
            acme.id,
            "1250.00",
            remittance=[{"invoice_number": "INV-2026-000123", "amount_paid": "1250.00"}],
        ),
    )

    assert payment["unapplied"] == "0.00"
    [application] = payment["applications"]
    assert (application["invoice_number"], application["amount"], application["automatic"]) == (
        "INV-2026-000123",
        "1250.00",
        True,
    )
    assert "INV-2026-000123" in application["explanation"]
    assert payment["remittance"][0]["matched_invoice_id"] == str(issued.invoice_id)
    balance = (
        await api.get(f"/v1/invoice-balances/{issued.invoice_id}", headers=auth(Role.AUDITOR))
    ).json()
    assert (balance["balance"], balance["status"]) == ("0.00", "paid")

    received = await eventually(lambda: _one(published, "payment.received"))
    applied = await eventually(lambda: _one(published, "payment.applied"))
    assert received.payload["journal"]["postings"] == [
        {
            "account": "1010",
            "debit": "1250.00",
            "credit": "0",
            "business_district": None,
            "service_line": None,
            "jurisdiction": None,
            "memo": None,
        },
        {
            "account": "2110",
            "debit": "0",
            "credit": "1250.00",
            "business_district": None,
            "service_line": None,
            "jurisdiction": None,
            "memo": None,
        },
    ]
    postings = {
        (p["account"], p["debit"], p["credit"]) for p in applied.payload["journal"]["postings"]
    }
    assert postings == {("2110", "1250.00", "0"), ("1200", "0", "1250.00")}
    assert applied.customer_id == str(acme.id)


async def _one(published: Published, event_type: str):  # type: ignore[no-untyped-def]
    found = published(event_type)
    return found[0] if found else None


async def test_remittance_naming_no_invoice_waits_for_review(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot
) -> None:
    payment = await post_payment(
        api,
        auth,
        payment_body(
            acme.id,
            "300.00",
            remittance=[{"invoice_number": "INV-2026-999999", "amount_paid": "300.00"}],
        ),
    )

    assert payment["unapplied"] == "300.00" and payment["applications"] == []
    queue = (
        await api.get("/v1/applications/suggestions", headers=auth(Role.AR_COORDINATOR))
    ).json()
    [waiting] = queue["items"]
    assert waiting["payment_id"] == payment["id"]
    assert waiting["unmatched_references"] == ["INV-2026-999999"]


async def test_unknown_currency_is_refused(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot
) -> None:
    response = await api.post(
        "/v1/payments",
        json=payment_body(acme.id, currency="XXY"),
        headers=auth(Role.AR_COORDINATOR),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.currency"


async def test_payment_in_another_currency_than_the_customer_is_refused(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot
) -> None:
    response = await api.post(
        "/v1/payments",
        json=payment_body(acme.id, currency="EUR"),
        headers=auth(Role.AR_COORDINATOR),
    )
    assert response.status_code == 422
    assert "billed in USD" in response.json()["detail"]
    listed = (await api.get("/v1/payments", headers=auth(Role.AUDITOR))).json()
    assert listed["items"] == []


async def test_same_idempotency_key_records_the_payment_once(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot
) -> None:
    headers = auth(Role.AR_COORDINATOR) | {"Idempotency-Key": "chk-1001"}
    first = await api.post("/v1/payments", json=payment_body(acme.id), headers=headers)
    again = await api.post("/v1/payments", json=payment_body(acme.id), headers=headers)

    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert len((await api.get("/v1/payments", headers=auth(Role.AUDITOR))).json()["items"]) == 1


async def test_sales_may_not_record_payments(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot
) -> None:
    response = await api.post("/v1/payments", json=payment_body(acme.id), headers=auth(Role.SALES))
    assert response.status_code == 403


async def test_the_integration_records_payments_but_may_not_reverse_them(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot
) -> None:
    recorded = await api.post(
        "/v1/payments", json=payment_body(acme.id), headers=auth(Role.INTEGRATION)
    )
    assert recorded.status_code == 201, recorded.text
    reversal = await api.post(
        f"/v1/payments/{recorded.json()['id']}/reverse",
        json={"reason": "NSF"},
        headers=auth(Role.INTEGRATION),
    )
    assert reversal.status_code == 403, reversal.text


async def test_over_payment_leaves_unapplied_credit(
    api: httpx.AsyncClient, auth: AuthHeaders, bus: InProcessBus, acme: CustomerSnapshot
) -> None:
    await deliver_invoicing(bus, invoice(acme, "INV-2026-000200", "400.00"))

    payment = await post_payment(
        api,
        auth,
        payment_body(
            acme.id,
            "450.00",
            remittance=[{"invoice_number": "INV-2026-000200", "amount_paid": "450.00"}],
        ),
    )

    assert Decimal(payment["unapplied"]) == Decimal("50.00")
    assert payment["applications"][0]["amount"] == "400.00"


async def test_payments_with_credit_on_account_are_listed_alone_when_asked(
    api: httpx.AsyncClient, auth: AuthHeaders, bus: InProcessBus, acme: CustomerSnapshot
) -> None:
    await deliver_invoicing(bus, invoice(acme, "INV-2026-000250", "400.00"))
    await post_payment(api, auth, payment_body(acme.id, "400.00"))
    credit = await post_payment(api, auth, payment_body(acme.id, "75.25", reference="CHK-2"))

    listed = await api.get(
        "/v1/payments", params={"unapplied_only": "true"}, headers=auth(Role.AR_COORDINATOR)
    )

    assert [p["id"] for p in listed.json()["items"]] == [credit["id"]]


async def test_a_fraction_of_a_cent_is_refused(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot
) -> None:
    response = await api.post(
        "/v1/payments", json=payment_body(acme.id, "100.005"), headers=auth(Role.AR_COORDINATOR)
    )

    assert response.status_code == 422
    assert "smallest unit" in response.json()["errors"][0]["message"]
