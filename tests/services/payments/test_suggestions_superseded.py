"""Issue 13 point 13: a suggestion that no longer fits (its invoice paid another way, credited or
voided, its payment's cash used elsewhere) is superseded with the reason, and accepting it is a
409 that says why, not a 422 "has only 0.00 open"."""

from typing import Any

import httpx
import pytest

from shared.auth import Role
from shared.bus import InProcessBus
from shared.events.customers import CustomerSnapshot
from shared.events.invoicing import InvoiceIssued
from tests.conftest import AuthHeaders
from tests.services.payments.conftest import payment_body, post_payment
from tests.services.payments.events import credit_memo, deliver_invoicing, invoice, voided

COORDINATOR = Role.AR_COORDINATOR


async def _suggestions(api: httpx.AsyncClient, auth: AuthHeaders, status: str) -> list[Any]:
    response = await api.get(
        "/v1/applications/suggestions", params={"status": status}, headers=auth(COORDINATOR)
    )
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def _suggested(
    api: httpx.AsyncClient, auth: AuthHeaders, bus: InProcessBus, acme: CustomerSnapshot
) -> tuple[InvoiceIssued, dict[str, Any]]:
    """An unknown payer's 777.70, suggested (not applied) for acme's invoice of that amount."""
    issued = invoice(acme, "INV-2026-000300", "777.70")
    await deliver_invoicing(bus, issued)
    await post_payment(api, auth, payment_body(None, "777.70", payer_name="Basin Holdings"))
    [suggestion] = await _suggestions(api, auth, "pending")
    assert suggestion["proposal"][0]["invoice_id"] == str(issued.invoice_id)
    return issued, suggestion


async def _accept(api: httpx.AsyncClient, auth: AuthHeaders, suggestion: Any) -> httpx.Response:
    return await api.post(
        f"/v1/applications/suggestions/{suggestion['id']}/accept", headers=auth(COORDINATOR)
    )


async def test_a_suggestion_for_an_invoice_paid_another_way_is_superseded(
    api: httpx.AsyncClient, auth: AuthHeaders, bus: InProcessBus, acme: CustomerSnapshot
) -> None:
    issued, suggestion = await _suggested(api, auth, bus, acme)

    # The customer's own check for the invoice arrives and is applied by hand.
    check = await post_payment(api, auth, payment_body(acme.id, "777.70", reference="CHK-5001"))
    if not check["applications"]:
        applied = await api.post(
            f"/v1/payments/{check['id']}/applications",
            json={"applications": [{"invoice_id": str(issued.invoice_id), "amount": "777.70"}]},
            headers=auth(COORDINATOR),
        )
        assert applied.status_code in (200, 201), applied.text

    assert await _suggestions(api, auth, "pending") == []
    [superseded] = await _suggestions(api, auth, "superseded")
    assert superseded["id"] == suggestion["id"]
    assert superseded["superseded_reason"] == "invoice INV-2026-000300 is paid now"
    response = await _accept(api, auth, suggestion)
    assert response.status_code == 409, response.text
    problem = response.json()
    assert problem["type"] == "urn:ar-platform:problem:suggestion-superseded"
    assert "invoice INV-2026-000300 is paid now" in problem["detail"]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("credit", "invoice INV-2026-000300 has only 677.70 open, the suggestion applies 777.70"),
        ("void", "invoice INV-2026-000300 is voided now"),
    ],
)
async def test_a_suggestion_for_an_invoice_credited_or_voided_is_superseded(
    api: httpx.AsyncClient,
    auth: AuthHeaders,
    bus: InProcessBus,
    acme: CustomerSnapshot,
    change: str,
    reason: str,
) -> None:
    issued, suggestion = await _suggested(api, auth, bus, acme)

    await deliver_invoicing(
        bus, credit_memo(issued, "100.00") if change == "credit" else voided(issued)
    )

    [superseded] = await _suggestions(api, auth, "superseded")
    assert superseded["superseded_reason"] == reason
    assert (await _accept(api, auth, suggestion)).status_code == 409


async def test_a_suggestion_whose_payment_was_applied_elsewhere_is_superseded(
    api: httpx.AsyncClient, auth: AuthHeaders, bus: InProcessBus, acme: CustomerSnapshot
) -> None:
    _, suggestion = await _suggested(api, auth, bus, acme)
    elsewhere = invoice(acme, "INV-2026-000301", "500.00")
    await deliver_invoicing(bus, elsewhere)

    applied = await api.post(
        f"/v1/payments/{suggestion['payment_id']}/applications",
        json={"applications": [{"invoice_id": str(elsewhere.invoice_id), "amount": "500.00"}]},
        headers=auth(COORDINATOR),
    )

    assert applied.status_code in (200, 201), applied.text
    [superseded] = await _suggestions(api, auth, "superseded")
    assert superseded["superseded_reason"] == (
        "the payment has only 277.70 unapplied, the suggestion applies 777.70"
    )


async def test_a_suggestion_that_still_fits_stays_pending_and_is_accepted(
    api: httpx.AsyncClient, auth: AuthHeaders, bus: InProcessBus, acme: CustomerSnapshot
) -> None:
    issued, suggestion = await _suggested(api, auth, bus, acme)
    # Another invoice of the customer is paid: nothing the suggestion proposes changed.
    other = invoice(acme, "INV-2026-000302", "90.00")
    await deliver_invoicing(bus, other)
    await post_payment(api, auth, payment_body(acme.id, "90.00"))

    assert [s["id"] for s in await _suggestions(api, auth, "pending")] == [suggestion["id"]]
    response = await _accept(api, auth, suggestion)
    assert response.status_code == 200, response.text
    assert [s["id"] for s in await _suggestions(api, auth, "accepted")] == [suggestion["id"]]
