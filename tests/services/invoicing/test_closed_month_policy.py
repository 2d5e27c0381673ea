"""With AR_INVOICING_CLOSED_MONTH_POLICY=first_open_month, an invoice dated in a closed month is
not refused: it is dated on the first day of the first open month, and says which date it asked
for."""

from datetime import date, datetime

import httpx
import pytest
import time_machine

from shared.auth import Role
from shared.bus import InProcessBus
from shared.clock import DEFAULT_TIME_ZONE, time_zone
from shared.events.customers import CustomerSnapshot
from tests.conftest import AuthHeaders
from tests.services.periods import close_month

pytestmark = pytest.mark.usefixtures("taxed")

LINE = {
    "description": "Site survey",
    "quantity": "1",
    "unit": "ea",
    "unit_price": "200.00",
    "taxability": "labor",
    "service_line": "services",
}


@pytest.fixture(autouse=True)
def moving_into_the_open_month(
    monkeypatch: pytest.MonkeyPatch, time_machine: time_machine.TimeMachineFixture
) -> None:
    """Set before the service starts; 2 November 2026, October about to close."""
    monkeypatch.setenv("AR_INVOICING_CLOSED_MONTH_POLICY", "first_open_month")
    time_machine.move_to(datetime(2026, 11, 2, 10, tzinfo=time_zone(DEFAULT_TIME_ZONE)))


async def test_an_invoice_dated_in_a_closed_month_is_dated_into_the_first_open_one(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot, bus: InProcessBus
) -> None:
    staff = auth(Role.AR_COORDINATOR)
    body = {"customer_id": str(acme.id), "invoice_date": "2026-10-30", "lines": [LINE]}
    draft = (await api.post("/v1/invoices", json=body, headers=staff)).json()
    await close_month(bus, "2026-10", date(2026, 10, 31))
    issued = await api.post(f"/v1/invoices/{draft['id']}/issue", headers=staff)
    assert issued.status_code == 200, issued.text
    invoice = issued.json()
    assert (invoice["invoice_date"], invoice["redated_from"]) == ("2026-11-01", "2026-10-30")
    assert invoice["number"].startswith("INV-2026-")
    assert invoice["due_date"] > "2026-11-01"  # its terms run from the date it posts on
    kept = (await api.get(f"/v1/invoices/{draft['id']}", headers=auth(Role.AUDITOR))).json()
    assert (kept["invoice_date"], kept["redated_from"]) == ("2026-11-01", "2026-10-30")
    # An invoice of an open month is dated as asked, and says nothing.
    body["invoice_date"] = "2026-11-02"
    other = (await api.post("/v1/invoices", json=body, headers=staff)).json()
    issued = await api.post(f"/v1/invoices/{other['id']}/issue", headers=staff)
    assert (issued.json()["invoice_date"], issued.json()["redated_from"]) == ("2026-11-02", None)
