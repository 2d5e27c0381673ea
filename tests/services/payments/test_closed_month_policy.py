"""With AR_PAYMENTS_CLOSED_MONTH_POLICY=first_open_month, a payment received on a day of a
closed month is not refused: it is dated on the first day of the first open month, and keeps the
date it came with."""

from datetime import date, datetime

import httpx
import pytest
import time_machine

from shared.auth import Role
from shared.bus import InProcessBus
from shared.clock import DEFAULT_TIME_ZONE, time_zone
from shared.events.customers import CustomerSnapshot
from tests.conftest import AuthHeaders
from tests.services.payments.conftest import payment_body, post_payment
from tests.services.periods import close_month


@pytest.fixture(autouse=True)
def moving_into_the_open_month(
    monkeypatch: pytest.MonkeyPatch, time_machine: time_machine.TimeMachineFixture
) -> None:
    """Set before the service starts; 2 November 2026."""
    monkeypatch.setenv("AR_PAYMENTS_CLOSED_MONTH_POLICY", "first_open_month")
    time_machine.move_to(datetime(2026, 11, 2, 10, tzinfo=time_zone(DEFAULT_TIME_ZONE)))


async def test_a_payment_of_a_closed_month_is_dated_into_the_first_open_one(
    api: httpx.AsyncClient, auth: AuthHeaders, bus: InProcessBus, acme: CustomerSnapshot
) -> None:
    await close_month(bus, "2026-10", date(2026, 10, 31))
    moved = await post_payment(api, auth, payment_body(acme.id, received_on="2026-10-30"))
    assert (moved["received_on"], moved["redated_from"]) == ("2026-11-01", "2026-10-30")
    read = (await api.get(f"/v1/payments/{moved['id']}", headers=auth(Role.AUDITOR))).json()
    assert (read["received_on"], read["redated_from"]) == ("2026-11-01", "2026-10-30")
    body = payment_body(acme.id, received_on="2026-11-02", reference="CHK-1002")
    kept = await post_payment(api, auth, body)
    assert (kept["received_on"], kept["redated_from"]) == ("2026-11-02", None)
