"""Payments is the one authority over an invoice's open balance
(docs/architecture.md#one-authority-over-an-open-balance): a credit memo is applied here, up to
what is open, the rest kept on account; a void undoes a write-off that crossed it; the write-off
tolerance counts what the same person wrote off before."""

from decimal import Decimal
from typing import Any

import httpx
import pytest

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


def _of(published: Published, event_type: str) -> Any:
    async def found() -> list[Any]:
        return [e.payload for e in published(event_type)]

    return eventually(found)


async def test_a_memo_landing_on_a_paid_invoice_is_kept_on_account_and_settles_it_if_it_reopens(
    api: httpx.AsyncClient,
    auth: AuthHeaders,
    bus: InProcessBus,
    acme: CustomerSnapshot,
    published: Published,
) -> None:
    issued = invoice(acme, "INV-2026-003100", "1000.00")
    await deliver_invoicing(bus, issued)
    payment = await post_payment(
        api,
        auth,
        payment_body(
            acme.id,
            "1000.00",
            remittance=[{"invoice_number": "INV-2026-003100", "amount_paid": "1000.00"}],
        ),
    )
    # The memo invoicing issued at the same moment arrives after the payment was applied.
    memo = credit_memo(issued, "1000.00")
    await deliver_invoicing(bus, memo)

    balance = await _balance(api, auth, issued.invoice_id)
    assert (balance["balance"], balance["status"]) == ("0.00", "paid")
    assert [(m["number"], m["on_account"]) for m in balance["credit_memos"]] == [
        (memo.number, "1000.00")
    ]
    [applied] = await _of(published, "credit_memo.applied")
    assert (Decimal(applied["amount"]), applied["on_account"]) == (0, "1000.00")

    # The check bounces: the invoice reopens and its memo's credit settles it first.
    reversed_ = await api.post(
        f"/v1/payments/{payment['id']}/reverse",
        json={"reason": "NSF"},
        headers=auth(Role.AR_COORDINATOR),
    )
    assert reversed_.status_code == 200, reversed_.text
    balance = await _balance(api, auth, issued.invoice_id)
    assert (balance["balance"], balance["credit_memos"][0]["on_account"]) == ("0.00", "0.00")


async def test_a_void_that_crosses_a_write_off_undoes_it(
    api: httpx.AsyncClient,
    auth: AuthHeaders,
    bus: InProcessBus,
    acme: CustomerSnapshot,
    published: Published,
) -> None:
    issued = invoice(acme, "INV-2026-003200", "20.00")
    await deliver_invoicing(bus, issued)
    body = {"invoice_id": str(issued.invoice_id), "reason": "not worth chasing"}
    posted = await api.post("/v1/write-offs", json=body, headers=auth(Role.AR_COORDINATOR))
    assert posted.status_code == 201, posted.text

    await deliver_invoicing(bus, voided(issued))

    [undone] = await _of(published, "write_off.reversed")
    assert (undone["write_off_id"], undone["amount"]) == (posted.json()["id"], "20.00")
    postings = {(p["account"], p["debit"], p["credit"]) for p in undone["journal"]["postings"]}
    assert postings == {("1200", "20.00", "0"), ("6150", "0", "20.00")}


async def test_the_write_off_tolerance_counts_what_the_same_person_wrote_off_on_the_invoice(
    api: httpx.AsyncClient, auth: AuthHeaders, bus: InProcessBus, acme: CustomerSnapshot
) -> None:
    issued = invoice(acme, "INV-2026-003300", "100.00")
    await deliver_invoicing(bus, issued)
    coordinator = auth(Role.AR_COORDINATOR, subject="cora")
    payment = await post_payment(
        api,
        auth,
        payment_body(
            acme.id,
            "80.00",
            remittance=[
                {"invoice_number": "INV-2026-003300", "amount_paid": "80.00", "reason_code": "x"}
            ],
        ),
    )
    body = {"invoice_id": str(issued.invoice_id), "reason": "short paid"}
    first = await api.post("/v1/write-offs", json=body, headers=coordinator)
    assert first.status_code == 201, first.text
    # The cash is moved: 70.00 of it back on the invoice leaves 10.00 open, within 25.00 alone.
    unapplied = await api.post(
        f"/v1/applications/{payment['applications'][0]['id']}/unapply",
        json={"reason": "re-keyed"},
        headers=coordinator,
    )
    assert unapplied.status_code == 200, unapplied.text
    again = await api.post(
        f"/v1/payments/{payment['id']}/applications",
        json={"applications": [{"invoice_id": str(issued.invoice_id), "amount": "70.00"}]},
        headers=coordinator,
    )
    assert again.status_code == 201, again.text
    assert (await _balance(api, auth, issued.invoice_id))["balance"] == "10.00"

    refused = await api.post("/v1/write-offs", json=body, headers=coordinator)
    assert refused.status_code == 422, refused.text
    assert "30.00 on this invoice" in refused.json()["detail"]
    assert refused.json()["already_written_off"] == "20.00"


@pytest.fixture
def per_customer_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AR_PAYMENTS_WRITE_OFF_LIMIT_PER_CUSTOMER_DAY", "true")


async def test_with_the_setting_the_tolerance_counts_the_customer_that_day(
    per_customer_day: None,
    api: httpx.AsyncClient,
    auth: AuthHeaders,
    bus: InProcessBus,
    acme: CustomerSnapshot,
) -> None:
    first, second = (invoice(acme, f"INV-2026-00340{n}", "15.00") for n in (1, 2))
    await deliver_invoicing(bus, first, second)
    coordinator = auth(Role.AR_COORDINATOR, subject="cora")

    def write_off(issued: Any) -> Any:
        body = {"invoice_id": str(issued.invoice_id), "reason": "not worth chasing"}
        return api.post("/v1/write-offs", json=body, headers=coordinator)

    assert (await write_off(first)).status_code == 201
    refused = await write_off(second)
    assert refused.status_code == 422, refused.text
    assert "30.00 to this customer today" in refused.json()["detail"]
