"""Third-party costs billed on: a billable line joins its ticket's next invoice at the
customer's markup; once the ticket is invoiced, it proposes a cost adjustment (a supplementary
invoice, or a credit memo when the bill is reversed) issued after review."""

import io
from decimal import Decimal
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from shared.auth import Role
from shared.bus import InProcessBus
from shared.events.customers import (
    BillingProfile,
    CustomerRegistered,
    CustomerSnapshot,
    InvoiceGrouping,
)
from tests.conftest import AuthHeaders
from tests.services.customer_events import deliver
from tests.services.invoicing.conftest import (
    invoices_of_run,
    issue_run,
    job_site_customer,
    ready_ticket,
    run_billing,
    ticket_body,
)
from tests.services.invoicing.test_rentals import relayed
from tests.services.invoicing.test_vendor_bills import enter, vendor

pytestmark = pytest.mark.usefixtures("taxed")


@pytest.fixture
async def marked_up(bus: InProcessBus, api: httpx.AsyncClient) -> CustomerSnapshot:
    """A customer whose contract bills third-party costs on at 15% plus a 10.00 fee."""
    snapshot = job_site_customer(
        billing_profile=BillingProfile(
            grouping=InvoiceGrouping.PER_TICKET,
            pass_through_markup=Decimal("0.15"),
            pass_through_fee=Decimal("10.00"),
        )
    )
    await deliver(bus, CustomerRegistered(customer=snapshot))
    return snapshot


def billable_bill(vendor_id: str, ticket_number: str, cost: str, **overrides: Any) -> dict:
    return {
        "vendor_id": vendor_id,
        "number": "BH-7",
        "bill_date": "2026-11-05",
        "currency": "USD",
        "total": cost,
        "lines": [
            {
                "description": "Vac truck haul",
                "amount": cost,
                "account": "5200",
                "cost_category": "trucking",
                "ticket_number": ticket_number,
                "billable": True,
            }
        ],
    } | overrides


async def approve(api: httpx.AsyncClient, auth: AuthHeaders, bill_id: str) -> dict:
    response = await api.post(
        f"/v1/vendor-bills/{bill_id}/approve", json={}, headers=auth(Role.AR_COORDINATOR)
    )
    assert response.status_code == 200, response.text
    return response.json()


async def journal_balances(api: httpx.AsyncClient, auth: AuthHeaders) -> None:
    entries = (await api.get("/v1/journal?limit=500", headers=auth(Role.AUDITOR))).json()["items"]
    for entry in entries:
        debits = sum(Decimal(p["debit"]) for p in entry["postings"])
        credits = sum(Decimal(p["credit"]) for p in entry["postings"])
        assert debits == credits, entry


async def test_a_billable_cost_joins_the_tickets_next_invoice_with_markup(
    api: httpx.AsyncClient, auth: AuthHeaders, marked_up: CustomerSnapshot
) -> None:
    ticket = await ready_ticket(api, auth, ticket_body(marked_up.id, ticket_number="T-2001"))
    v = await vendor(api, auth)
    bill = (await enter(api, auth, billable_bill(v["id"], "T-2001", "400.00"))).json()
    posted = await approve(api, auth, bill["id"])
    assert posted["lines"][0]["pass_through_status"] == "pending"
    [waiting] = await margin(api, auth)
    assert (waiting["revenue"], waiting["cost"], waiting["unbilled_pass_through"]) == (
        "0.00",
        "400.00",
        "400.00",
    )

    run = await run_billing(api, auth)
    await issue_run(api, auth, run["id"])
    [invoice] = await invoices_of_run(api, auth, run["id"])
    charge = invoice["lines"][-1]
    # 400.00 x 1.15 = 460.00, + 10.00 fee
    assert (charge["amount"], charge["taxability"], charge["ticket_id"]) == (
        "470.00",
        "delivery",
        ticket["id"],
    )
    assert "Basin Hauling LLC bill BH-7" in charge["description"]
    assert invoice["subtotal"] == str(Decimal("332.60") + Decimal("470.00"))
    line = (await api.get(f"/v1/vendor-bills/{bill['id']}", headers=auth(Role.AUDITOR))).json()[
        "lines"
    ][0]
    assert (line["pass_through_status"], line["billed_amount"], line["invoice_id"]) == (
        "billed",
        "470.00",
        invoice["id"],
    )
    # A second run finds nothing more to bill.
    again = await run_billing(api, auth)
    assert again["draft_count"] == 0
    await journal_balances(api, auth)

    # Billed in November, costed this month (the day of approval): per district and month.
    rows = {tuple(r["key"]): r for r in await margin(api, auth, group_by="district")}
    november = rows[("2026-11", "permian")]
    assert (november["revenue"], november["cost"], november["margin"]) == (
        "802.60",
        "0.00",
        "802.60",
    )
    response = await api.get(
        "/v1/job-margin",
        params={"from": "2026-01-01", "to": "2030-12-31", "format": "xlsx"},
        headers=auth(Role.AUDITOR),
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    header, *lines = list(sheet.iter_rows(values_only=True))
    assert header[:3] == ("period", "district", "ticket") and len(lines) == 2
    assert sum(Decimal(str(line[-1])) for line in lines) == Decimal("402.60")


async def margin(api: httpx.AsyncClient, auth: AuthHeaders, **params: str) -> list[dict]:
    response = await api.get(
        "/v1/job-margin",
        params={"from": "2026-01-01", "to": "2030-12-31"} | params,
        headers=auth(Role.AUDITOR),
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_cost_after_the_invoice_proposes_a_supplementary_invoice_then_a_credit(
    api: httpx.AsyncClient, auth: AuthHeaders, marked_up: CustomerSnapshot
) -> None:
    await ready_ticket(api, auth, ticket_body(marked_up.id, ticket_number="T-2002"))
    run = await run_billing(api, auth)
    await issue_run(api, auth, run["id"])
    [original] = await invoices_of_run(api, auth, run["id"])

    v = await vendor(api, auth)
    bill = (await enter(api, auth, billable_bill(v["id"], "T-2002", "1000.00"))).json()
    posted = await approve(api, auth, bill["id"])
    assert posted["lines"][0]["pass_through_status"] == "adjusting"
    [proposal] = (
        await api.get("/v1/cost-adjustments?status=proposed", headers=auth(Role.AUDITOR))
    ).json()["items"]
    assert (proposal["kind"], proposal["invoice_id"], proposal["amount"]) == (
        "supplementary_invoice",
        original["id"],
        "1160.00",
    )
    assert proposal["arithmetic"].startswith("cost 1000.00 x (1 + 0.15) + fee 10.00 = 1160.00")

    response = await api.post(
        f"/v1/cost-adjustments/{proposal['id']}/issue", headers=auth(Role.AR_COORDINATOR)
    )
    assert response.status_code == 200, response.text
    issued = response.json()
    supplementary = (
        await api.get(f"/v1/invoices/{issued['document_id']}", headers=auth(Role.AUDITOR))
    ).json()
    assert supplementary["status"] == "issued"
    assert supplementary["subtotal"] == "1160.00"
    assert f"Cost adjustment to {original['number']}" in supplementary["lines"][0]["description"]

    # The vendor's bill was wrong: reversed, the billed 1160.00 is proposed back as a credit.
    response = await api.post(
        f"/v1/vendor-bills/{bill['id']}/reverse", headers=auth(Role.AR_COORDINATOR)
    )
    assert response.status_code == 201, response.text
    [credit] = (
        await api.get("/v1/cost-adjustments?status=proposed", headers=auth(Role.AUDITOR))
    ).json()["items"]
    assert (credit["kind"], credit["invoice_id"], credit["amount"], credit["target"]) == (
        "credit_memo",
        supplementary["id"],
        "1160.00",
        "0.00",
    )
    # Above the credit-memo approval limit (1000): a supervisor's, as for any credit memo.
    url = f"/v1/cost-adjustments/{credit['id']}/issue"
    assert (await api.post(url, headers=auth(Role.AR_COORDINATOR))).status_code == 403
    response = await api.post(url, headers=auth(Role.AR_SUPERVISOR))
    assert response.status_code == 200, response.text
    after = (
        await api.get(f"/v1/invoices/{supplementary['id']}", headers=auth(Role.AUDITOR))
    ).json()
    assert Decimal(after["credited"]) >= Decimal("1160.00")
    line = (await api.get(f"/v1/vendor-bills/{bill['id']}", headers=auth(Role.AUDITOR))).json()[
        "lines"
    ][0]
    assert line["billed_amount"] == "0.00"
    await journal_balances(api, auth)


async def test_a_reversed_cost_not_yet_billed_is_never_billed(
    api: httpx.AsyncClient, auth: AuthHeaders, marked_up: CustomerSnapshot
) -> None:
    await ready_ticket(api, auth, ticket_body(marked_up.id, ticket_number="T-2003"))
    v = await vendor(api, auth)
    bill = (await enter(api, auth, billable_bill(v["id"], "T-2003", "100.00"))).json()
    await approve(api, auth, bill["id"])
    await api.post(f"/v1/vendor-bills/{bill['id']}/reverse", headers=auth(Role.AR_COORDINATOR))
    run = await run_billing(api, auth)
    await issue_run(api, auth, run["id"])
    [invoice] = await invoices_of_run(api, auth, run["id"])
    assert all(line["service_line"] != "pass_through" for line in invoice["lines"])


async def test_voiding_the_invoice_makes_its_pass_through_wait_for_the_next_run(
    api: httpx.AsyncClient, auth: AuthHeaders, marked_up: CustomerSnapshot
) -> None:
    await ready_ticket(api, auth, ticket_body(marked_up.id, ticket_number="T-2004"))
    v = await vendor(api, auth)
    bill = (await enter(api, auth, billable_bill(v["id"], "T-2004", "100.00"))).json()
    await approve(api, auth, bill["id"])
    run = await run_billing(api, auth)
    await issue_run(api, auth, run["id"])
    [invoice] = await invoices_of_run(api, auth, run["id"])
    response = await api.post(
        f"/v1/invoices/{invoice['id']}/void",
        json={"reason": "wrong PO"},
        headers=auth(Role.AR_COORDINATOR),
    )
    assert response.status_code == 200, response.text
    again = await run_billing(api, auth)
    await issue_run(api, auth, again["id"])
    [rebilled] = await invoices_of_run(api, auth, again["id"])
    assert rebilled["lines"][-1]["amount"] == "125.00"  # 100.00 x 1.15 + 10.00


async def test_pass_through_not_billed_yet_is_published_for_credit_and_collections(
    api: httpx.AsyncClient, auth: AuthHeaders, marked_up: CustomerSnapshot, bus: InProcessBus
) -> None:
    await ready_ticket(api, auth, ticket_body(marked_up.id, ticket_number="T-2005"))
    v = await vendor(api, auth)
    bill = (await enter(api, auth, billable_bill(v["id"], "T-2005", "400.00"))).json()
    await approve(api, auth, bill["id"])
    # Waiting for the ticket's invoice: at the price it will bill, 400.00 x 1.15 + 10.00.
    [posted] = await relayed(bus, "rental.accrued", 1)
    assert (posted["customer_id"], posted["pass_through_unbilled"]) == (str(marked_up.id), "470.00")
    assert (posted["rental_unbilled"], posted["storage_unbilled"]) == ("0.00", "0.00")

    run = await run_billing(api, auth)
    await issue_run(api, auth, run["id"])
    [invoice] = await invoices_of_run(api, auth, run["id"])
    *_, billed = await relayed(bus, "rental.accrued", 2)
    assert billed["pass_through_unbilled"] == "0.00"

    # Voided: the charge waits for the next run again, and counts again.
    response = await api.post(
        f"/v1/invoices/{invoice['id']}/void",
        json={"reason": "wrong PO"},
        headers=auth(Role.AR_COORDINATOR),
    )
    assert response.status_code == 200, response.text
    *_, waiting = await relayed(bus, "rental.accrued", 3)
    assert waiting["pass_through_unbilled"] == "470.00"


async def test_a_proposed_supplementary_invoice_counts_as_unbilled_until_issued(
    api: httpx.AsyncClient, auth: AuthHeaders, marked_up: CustomerSnapshot, bus: InProcessBus
) -> None:
    await ready_ticket(api, auth, ticket_body(marked_up.id, ticket_number="T-2006"))
    run = await run_billing(api, auth)
    await issue_run(api, auth, run["id"])
    v = await vendor(api, auth)
    bill = (await enter(api, auth, billable_bill(v["id"], "T-2006", "100.00"))).json()
    await approve(api, auth, bill["id"])
    [proposed] = await relayed(bus, "rental.accrued", 1)
    assert proposed["pass_through_unbilled"] == "125.00"
    [proposal] = (
        await api.get("/v1/cost-adjustments?status=proposed", headers=auth(Role.AUDITOR))
    ).json()["items"]
    response = await api.post(
        f"/v1/cost-adjustments/{proposal['id']}/issue", headers=auth(Role.AR_COORDINATOR)
    )
    assert response.status_code == 200, response.text
    *_, issued = await relayed(bus, "rental.accrued", 2)
    assert issued["pass_through_unbilled"] == "0.00"
