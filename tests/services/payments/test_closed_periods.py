"""A month collections closed binds payments: a payment, a deposit, an application, a refund, a
write-off, an unapplication or a reversal dated inside it is a 409 naming the month and who
closed it, even on a business date named by the request; once the month is reopened it posts."""

from datetime import date, datetime
from typing import Any

import httpx
import pytest
import time_machine

from shared.auth import Role
from shared.bus import InProcessBus
from shared.clock import BUSINESS_DATE_HEADER, DEFAULT_TIME_ZONE, time_zone
from shared.events.customers import CustomerSnapshot
from tests.conftest import AuthHeaders
from tests.services.payments.conftest import payment_body, post_payment
from tests.services.payments.events import deliver_invoicing, invoice
from tests.services.periods import SUPERVISOR, close_month, reopen_month

pytestmark = pytest.mark.usefixtures("early_november")

IN_OCTOBER = {BUSINESS_DATE_HEADER: "2026-10-31"}
OCTOBER_END = date(2026, 10, 31)


@pytest.fixture
def early_november(time_machine: time_machine.TimeMachineFixture) -> None:
    """2 November: October is closed, and a business date may still name its last day."""
    time_machine.move_to(datetime(2026, 11, 2, 10, tzinfo=time_zone(DEFAULT_TIME_ZONE)))


def _refused_for_october(response: httpx.Response) -> None:
    assert response.status_code == 409, response.text
    problem = response.json()
    assert (problem["period"], problem["closed_by"]) == ("2026-10", SUPERVISOR)
    assert "2026-10" in problem["detail"] and SUPERVISOR in problem["detail"]


async def test_a_payment_or_deposit_received_in_a_closed_month_is_refused_until_it_reopens(
    api: httpx.AsyncClient, auth: AuthHeaders, bus: InProcessBus, acme: CustomerSnapshot
) -> None:
    await close_month(bus, "2026-10", OCTOBER_END)
    headers = auth(Role.AR_COORDINATOR)
    payment = payment_body(acme.id, received_on="2026-10-30")
    _refused_for_october(await api.post("/v1/payments", json=payment, headers=headers))
    deposit = {
        "customer_id": str(acme.id),
        "method": "wire",
        "amount": "500.00",
        "currency": "USD",
        "received_on": "2026-10-20",
        "ticket_number": "T-7781",
    }
    _refused_for_october(await api.post("/v1/deposits", json=deposit, headers=headers))
    listed = await api.get("/v1/payments", headers=auth(Role.AUDITOR))
    assert listed.json()["items"] == []  # nothing half-written

    await reopen_month(bus, "2026-10")
    assert (await api.post("/v1/payments", json=payment, headers=headers)).status_code == 201
    assert (await api.post("/v1/deposits", json=deposit, headers=headers)).status_code == 201


async def test_an_application_dated_in_a_closed_month_is_refused(
    api: httpx.AsyncClient, auth: AuthHeaders, bus: InProcessBus, acme: CustomerSnapshot
) -> None:
    issued = invoice(acme, "INV-2026-000900", "400.00")
    await deliver_invoicing(bus, issued)
    # Received on 30 October with no remittance: still unapplied when October closes.
    payment = await post_payment(api, auth, payment_body(acme.id, received_on="2026-10-30"))
    await close_month(bus, "2026-10", OCTOBER_END)
    lines = {"applications": [{"invoice_id": str(issued.invoice_id), "amount": "100.00"}]}
    by_hand = f"/v1/payments/{payment['id']}/applications"
    headers = auth(Role.AR_COORDINATOR)
    _refused_for_october(await api.post(by_hand, json=lines, headers=headers))
    await reopen_month(bus, "2026-10")
    assert (await api.post(by_hand, json=lines, headers=headers)).status_code == 201


async def test_corrections_on_a_business_date_in_a_closed_month_are_refused(
    api: httpx.AsyncClient, auth: AuthHeaders, bus: InProcessBus, acme: CustomerSnapshot
) -> None:
    issued = invoice(acme, "INV-2026-001000", "1000.00")
    await deliver_invoicing(bus, issued)
    remittance = [{"invoice_number": "INV-2026-001000", "amount_paid": "995.00"}]
    paid = await post_payment(
        api, auth, payment_body(acme.id, "1010.00", received_on="2026-11-01", remittance=remittance)
    )
    [application] = paid["applications"]
    refund = await api.post(
        "/v1/refunds",
        json={"payment_id": paid["id"], "amount": "15.00", "reason": "paid twice"},
        headers=auth(Role.AR_COORDINATOR, subject="cora"),
    )
    assert refund.status_code == 201, refund.text
    await close_month(bus, "2026-10", OCTOBER_END)
    supervisor = auth(Role.AR_SUPERVISOR, subject="sam") | IN_OCTOBER
    backdated: list[tuple[str, dict[str, Any] | None]] = [
        (f"/v1/refunds/{refund.json()['id']}/approve", None),
        ("/v1/write-offs", {"invoice_id": str(issued.invoice_id), "reason": "small balance"}),
        (f"/v1/applications/{application['id']}/unapply", {"reason": "wrong invoice"}),
        (f"/v1/payments/{paid['id']}/reverse", {"reason": "NSF"}),
    ]
    for path, body in backdated:
        _refused_for_october(await api.post(path, json=body, headers=supervisor))
    reversal = {"reason": "NSF", "reversed_on": "2026-10-31"}
    _refused_for_october(
        await api.post(
            f"/v1/payments/{paid['id']}/reverse", json=reversal, headers=auth(Role.AR_COORDINATOR)
        )
    )
    # On today's business date each posts (the reversal would then meet the refund's own rule).
    today = auth(Role.AR_SUPERVISOR, subject="sam")
    for path, body in backdated[:3]:
        response = await api.post(path, json=body, headers=today)
        assert response.status_code in (200, 201), (path, response.text)
