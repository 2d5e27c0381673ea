"""Cash application through the API: by amount, by combination, by learned alias, the review
queue below the threshold, manual applications and their limits."""

from typing import Any

import httpx

from shared.auth import Role
from shared.bus import InProcessBus
from shared.events.customers import CustomerSnapshot
from tests.conftest import AuthHeaders
from tests.services.payments.conftest import payment_body, post_payment
from tests.services.payments.events import deliver_invoicing, invoice


def _applied(payment: dict[str, Any]) -> list[tuple[str, str]]:
    return sorted(
        (a["invoice_number"], a["amount"])
        for a in payment["applications"]
        if a["status"] == "active"
    )


async def _queue(api: httpx.AsyncClient, auth: AuthHeaders) -> list[dict[str, Any]]:
    response = await api.get("/v1/applications/suggestions", headers=auth(Role.AR_COORDINATOR))
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def test_exact_amount_of_one_open_invoice_is_applied_automatically(
    api: httpx.AsyncClient, auth: AuthHeaders, bus: InProcessBus, acme: CustomerSnapshot
) -> None:
    await deliver_invoicing(
        bus, invoice(acme, "INV-2026-000001", "980.00"), invoice(acme, "INV-2026-000002", "415.50")
    )

    payment = await post_payment(api, auth, payment_body(acme.id, "415.50"))

    assert _applied(payment) == [("INV-2026-000002", "415.50")]
    assert "settles exactly one open invoice" in payment["applications"][0]["explanation"]


async def test_combination_of_open_invoices_is_applied_automatically(
    api: httpx.AsyncClient, auth: AuthHeaders, bus: InProcessBus, acme: CustomerSnapshot
) -> None:
    totals = ["120.10", "330.25", "75.00", "910.40"]
    await deliver_invoicing(
        bus, *(invoice(acme, f"INV-2026-00001{i}", t) for i, t in enumerate(totals))
    )

    payment = await post_payment(api, auth, payment_body(acme.id, "525.35"))

    assert _applied(payment) == [
        ("INV-2026-000010", "120.10"),
        ("INV-2026-000011", "330.25"),
        ("INV-2026-000012", "75.00"),
    ]
    assert "exactly one combination" in payment["applications"][0]["explanation"]


async def test_mangled_reference_is_read_and_applied(
    api: httpx.AsyncClient, auth: AuthHeaders, bus: InProcessBus, acme: CustomerSnapshot
) -> None:
    await deliver_invoicing(
        bus, invoice(acme, "INV-2026-000123", "640.00"), invoice(acme, "INV-2026-000124", "640.00")
    )

    payment = await post_payment(
        api, auth, payment_body(acme.id, "640.00", memo="pay inv 2026-124 thx")
    )

    assert _applied(payment) == [("INV-2026-000124", "640.00")]
    assert "without its prefix" in payment["applications"][0]["explanation"]


async def test_unknown_payer_matching_only_by_amount_waits_in_the_review_queue(
    api: httpx.AsyncClient, auth: AuthHeaders, bus: InProcessBus, acme: CustomerSnapshot
) -> None:
    issued = invoice(acme, "INV-2026-000300", "777.70")
    await deliver_invoicing(bus, issued)

    payment = await post_payment(
        api, auth, payment_body(None, "777.70", payer_name="Basin Holdings")
    )

    assert payment["applications"] == [] and payment["unapplied"] == "777.70"
    [suggestion] = await _queue(api, auth)
    assert suggestion["payment_id"] == payment["id"]
    assert (suggestion["amount"], suggestion["payer_name"]) == ("777.70", "Basin Holdings")
    assert float(suggestion["confidence"]) < 0.9
    assert "payer is unknown" in suggestion["explanation"]
    assert suggestion["proposal"][0]["invoice_id"] == str(issued.invoice_id)

    accepted = await api.post(
        f"/v1/applications/suggestions/{suggestion['id']}/accept", headers=auth(Role.AR_COORDINATOR)
    )
    assert accepted.status_code == 200, accepted.text
    assert await _queue(api, auth) == []
    again = (await api.get(f"/v1/payments/{payment['id']}", headers=auth(Role.AUDITOR))).json()
    assert again["customer_id"] == str(acme.id)
    assert _applied(again) == [("INV-2026-000300", "777.70")]


async def test_payer_name_learned_from_a_manual_match_is_recognised_next_time(
    api: httpx.AsyncClient, auth: AuthHeaders, bus: InProcessBus, acme: CustomerSnapshot
) -> None:
    first, second = (
        invoice(acme, "INV-2026-000401", "500.00"),
        invoice(acme, "INV-2026-000402", "612.34"),
    )
    await deliver_invoicing(bus, first, second)
    unknown = await post_payment(
        api, auth, payment_body(None, "480.00", payer_name="PB Oilfield Svcs")
    )
    assert unknown["applications"] == []

    response = await api.post(
        f"/v1/payments/{unknown['id']}/applications",
        json={
            "applications": [
                {
                    "invoice_id": str(first.invoice_id),
                    "amount": "480.00",
                    "reason_code": "disputed_hours",
                }
            ]
        },
        headers=auth(Role.AR_COORDINATOR),
    )
    assert response.status_code == 201, response.text

    later = await post_payment(
        api, auth, payment_body(None, "612.34", payer_name="P.B. OILFIELD SVCS")
    )
    assert later["customer_id"] == str(acme.id)
    assert _applied(later) == [("INV-2026-000402", "612.34")]
    assert "learned from an earlier manual match" in later["applications"][0]["explanation"]


async def test_applying_more_than_the_payment_has_left_is_refused_and_nothing_applied(
    api: httpx.AsyncClient, auth: AuthHeaders, bus: InProcessBus, acme: CustomerSnapshot
) -> None:
    first, second = (
        invoice(acme, "INV-2026-000501", "300.00"),
        invoice(acme, "INV-2026-000502", "300.00"),
    )
    await deliver_invoicing(bus, first, second)
    payment = await post_payment(api, auth, payment_body(acme.id, "400.00", reference="x"))

    response = await api.post(
        f"/v1/payments/{payment['id']}/applications",
        json={
            "applications": [
                {"invoice_id": str(first.invoice_id), "amount": "300.00"},
                {"invoice_id": str(second.invoice_id), "amount": "200.00"},
            ]
        },
        headers=auth(Role.AR_COORDINATOR),
    )

    assert response.status_code == 422
    assert "has only 100.00 left" in response.json()["detail"]
    unchanged = (await api.get(f"/v1/payments/{payment['id']}", headers=auth(Role.AUDITOR))).json()
    assert unchanged["unapplied"] == "400.00" and unchanged["applications"] == []


async def test_applying_more_than_the_invoice_has_open_is_refused(
    api: httpx.AsyncClient, auth: AuthHeaders, bus: InProcessBus, acme: CustomerSnapshot
) -> None:
    issued = invoice(acme, "INV-2026-000601", "100.00")
    await deliver_invoicing(bus, issued)
    payment = await post_payment(api, auth, payment_body(acme.id, "250.00"))

    response = await api.post(
        f"/v1/payments/{payment['id']}/applications",
        json={"applications": [{"invoice_id": str(issued.invoice_id), "amount": "150.00"}]},
        headers=auth(Role.AR_COORDINATOR),
    )

    assert response.status_code == 422
    assert "has only 100.00 open" in response.json()["detail"]


async def test_applying_to_another_customers_invoice_is_refused(
    api: httpx.AsyncClient,
    auth: AuthHeaders,
    bus: InProcessBus,
    acme: CustomerSnapshot,
    other_customer: CustomerSnapshot,
) -> None:
    theirs = invoice(other_customer, "INV-2026-000701", "90.00")
    await deliver_invoicing(bus, theirs)
    payment = await post_payment(api, auth, payment_body(acme.id, "90.00"))
    assert payment["applications"] == []  # not proposed either: it is not acme's invoice

    response = await api.post(
        f"/v1/payments/{payment['id']}/applications",
        json={"applications": [{"invoice_id": str(theirs.invoice_id), "amount": "90.00"}]},
        headers=auth(Role.AR_COORDINATOR),
    )

    assert response.status_code == 422
    assert "belongs to another customer" in response.json()["detail"]


async def test_unapplying_returns_the_cash_and_reopens_the_invoice(
    api: httpx.AsyncClient, auth: AuthHeaders, bus: InProcessBus, acme: CustomerSnapshot
) -> None:
    issued = invoice(acme, "INV-2026-000801", "210.00")
    await deliver_invoicing(bus, issued)
    payment = await post_payment(api, auth, payment_body(acme.id, "210.00"))
    [application] = payment["applications"]

    response = await api.post(
        f"/v1/applications/{application['id']}/unapply",
        json={"reason": "wrong invoice"},
        headers=auth(Role.AR_COORDINATOR),
    )

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "unapplied"
    again = (await api.get(f"/v1/payments/{payment['id']}", headers=auth(Role.AUDITOR))).json()
    assert again["unapplied"] == "210.00"
    balance = (
        await api.get(f"/v1/invoice-balances/{issued.invoice_id}", headers=auth(Role.AUDITOR))
    ).json()
    assert (balance["balance"], balance["status"]) == ("210.00", "open")
    twice = await api.post(
        f"/v1/applications/{application['id']}/unapply",
        json={"reason": "again"},
        headers=auth(Role.AR_COORDINATOR),
    )
    assert twice.status_code == 422


async def test_dismissed_suggestion_leaves_the_queue_and_the_cash_unapplied(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot
) -> None:
    payment = await post_payment(
        api, auth, payment_body(None, "12.34", payer_name="Nobody We Know")
    )
    [suggestion] = await _queue(api, auth)

    response = await api.post(
        f"/v1/applications/suggestions/{suggestion['id']}/dismiss",
        headers=auth(Role.AR_COORDINATOR),
    )

    assert response.status_code == 200, response.text
    assert await _queue(api, auth) == []
    again = (await api.get(f"/v1/payments/{payment['id']}", headers=auth(Role.AUDITOR))).json()
    assert again["unapplied"] == "12.34"
    twice = await api.post(
        f"/v1/applications/suggestions/{suggestion['id']}/dismiss",
        headers=auth(Role.AR_COORDINATOR),
    )
    assert twice.status_code == 422
