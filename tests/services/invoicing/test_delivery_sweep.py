"""Issued invoices are delivered automatically after the grace period when the sweep is on."""

import httpx
import pytest

from shared.auth import Role
from shared.events.customers import CustomerSnapshot
from tests.conftest import AuthHeaders
from tests.services.invoicing.conftest import (
    invoices_of_run,
    issue_run,
    ready_ticket,
    run_billing,
    ticket_body,
)
from tests.support import eventually


@pytest.fixture
def sweeping(monkeypatch: pytest.MonkeyPatch) -> None:
    """Set before the service starts: the sweep reads its settings once, at start."""
    monkeypatch.setenv("AR_INVOICING_DELIVERY_SWEEP_SECONDS", "0.05")
    monkeypatch.setenv("AR_INVOICING_DELIVERY_GRACE_SECONDS", "0")


async def test_issued_invoices_are_delivered_by_the_sweep_once(
    sweeping: None, api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot, tmp_path
) -> None:
    await ready_ticket(api, auth, ticket_body(acme.id))
    run = await run_billing(api, auth)
    await issue_run(api, auth, run["id"])

    async def delivered() -> list:
        invoices = await invoices_of_run(api, auth, run["id"])
        return [i for i in invoices if i["delivery_status"] == "sent"]

    [invoice] = await eventually(delivered)
    assert invoice["delivery_detail"].startswith("written to")
    trail = (
        await api.get(f"/v1/invoices/{invoice['id']}/history", headers=auth(Role.AUDITOR))
    ).json()
    assert [e["actor"] for e in trail if e["action"] == "invoice_delivery"] == ["system"]
    assert len(list((tmp_path / "mail-drop").glob("*.eml"))) == 1
