"""Issue 14 point 9: a coordinator whose token is limited to districts or a customer accepts or
dismisses only suggestions for its own customers' invoices; one for another customer's invoice is
a 404 with nothing decided."""

from typing import Any

import httpx
import pytest

from shared.auth import Role, Scope, TokenAuthority
from shared.bus import InProcessBus
from shared.events.customers import CustomerRegistered, CustomerSnapshot
from tests.conftest import AuthHeaders
from tests.services.customer_events import customer, deliver
from tests.services.payments.conftest import payment_body, post_payment
from tests.services.payments.events import deliver_invoicing, invoice

PERMIAN_ONLY = Scope(districts=frozenset({"permian"}))


@pytest.fixture
async def bakken(api: httpx.AsyncClient, bus: InProcessBus) -> CustomerSnapshot:
    snapshot = customer(
        account_number="C000003", legal_name="Bakken Crude Hauling", business_district="bakken"
    )
    await deliver(bus, CustomerRegistered(customer=snapshot))
    return snapshot


def _scoped(tokens: TokenAuthority, scope: Scope) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens.mint('scoped', [Role.AR_COORDINATOR], scope=scope)}"}


async def _pending(api: httpx.AsyncClient, auth: AuthHeaders) -> list[dict[str, Any]]:
    response = await api.get("/v1/applications/suggestions", headers=auth(Role.AR_COORDINATOR))
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


@pytest.mark.parametrize("decision", ["accept", "dismiss"])
async def test_a_suggestion_for_another_districts_invoice_is_not_found(
    api: httpx.AsyncClient,
    auth: AuthHeaders,
    tokens: TokenAuthority,
    bus: InProcessBus,
    acme: CustomerSnapshot,
    bakken: CustomerSnapshot,
    decision: str,
) -> None:
    await deliver_invoicing(bus, invoice(bakken, "INV-2026-000501", "512.40"))
    await post_payment(api, auth, payment_body(None, "512.40", payer_name="Unknown Trucking"))
    [suggestion] = await _pending(api, auth)

    for scope in (PERMIAN_ONLY, Scope(customer_id=acme.id)):
        refused = await api.post(
            f"/v1/applications/suggestions/{suggestion['id']}/{decision}",
            headers=_scoped(tokens, scope),
        )
        assert refused.status_code == 404, refused.text
    assert [s["id"] for s in await _pending(api, auth)] == [suggestion["id"]]

    # The coordinator of the invoice's own district decides it.
    done = await api.post(
        f"/v1/applications/suggestions/{suggestion['id']}/{decision}",
        headers=_scoped(tokens, Scope(districts=frozenset({"bakken"}))),
    )
    assert done.status_code == 200, done.text
    assert await _pending(api, auth) == []
