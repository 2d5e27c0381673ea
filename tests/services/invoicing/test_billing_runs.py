"""Billing runs: grouping per billing profile, exceptions, issuing with numbers, due dates,
tax per jurisdiction and complete InvoiceIssued events."""

import io
import json

import httpx
import pytest
from pypdf import PdfReader

from shared.auth import Role
from shared.bus import InProcessBus
from shared.events.catalog import topic_for
from shared.events.customers import (
    BillingProfile,
    CustomerRegistered,
    CustomerSnapshot,
    ExemptionCertificate,
    InvoiceGrouping,
)
from shared.events.invoicing import InvoiceIssued
from tests.conftest import AuthHeaders
from tests.services.customer_events import deliver, revised
from tests.services.invoicing.conftest import (
    invoices_of_run,
    issue_run,
    job_site_customer,
    post_ticket,
    ready_ticket,
    run_billing,
    ticket_body,
)
from tests.support import eventually

pytestmark = pytest.mark.usefixtures("taxed")


def issued_events(bus: InProcessBus) -> list[InvoiceIssued]:
    return [
        InvoiceIssued.model_validate(json.loads(m.value)["payload"])
        for m in bus.retained[topic_for("invoicing")]
        if m.header("event_type") == "invoice.issued"
    ]


async def _now(value: list) -> list:
    return value


async def _customer(bus: InProcessBus, grouping: InvoiceGrouping, **changes) -> CustomerSnapshot:
    snapshot = job_site_customer(billing_profile=BillingProfile(grouping=grouping), **changes)
    await deliver(bus, CustomerRegistered(customer=snapshot))
    return snapshot


async def test_mixed_ticket_is_taxed_per_jurisdiction_and_issued_with_number_and_due_date(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot, bus: InProcessBus
) -> None:
    ticket = await ready_ticket(api, auth, ticket_body(acme.id))
    run = await run_billing(api, auth)
    assert (run["draft_count"], run["ticket_count"], run["exceptions"]) == (1, 1, [])

    issued = await issue_run(api, auth, run["id"])
    [invoice] = await invoices_of_run(api, auth, run["id"])
    assert (issued["status"], issued["issued_count"]) == ("issued", 1)
    assert (invoice["number"], invoice["status"]) == ("INV-2026-000001", "issued")
    # labor 212.50 (taxed by the city only) + parts 120.10 (taxed by all three)
    assert [(t["jurisdiction"], t["taxable_amount"], t["amount"]) for t in invoice["taxes"]] == [
        ("TX", "120.10", "7.51"),  # 7.50625
        ("TX-MIDLAND-CITY", "332.60", "4.99"),  # 4.989
        ("TX-MIDLAND-CO", "120.10", "0.60"),  # 0.6005
    ]
    assert (invoice["subtotal"], invoice["tax_total"], invoice["total"]) == (
        "332.60",
        "13.10",
        "345.70",
    )
    # 2/10 net 30 on 2026-11-30
    assert (invoice["due_date"], invoice["discount_due_date"], invoice["discount_amount"]) == (
        "2026-12-30",
        "2026-12-10",
        "6.91",
    )
    after = (await api.get(f"/v1/tickets/{ticket['id']}", headers=auth(Role.AUDITOR))).json()
    assert (after["status"], after["invoice_id"]) == ("billed", invoice["id"])

    [event] = await eventually(lambda: _now(issued_events(bus)))
    assert (event.number, str(event.total), event.po_number, event.job_site) == (
        "INV-2026-000001",
        invoice["total"],
        "PO-77",
        "Yard 4",
    )
    assert [str(t) for t in event.ticket_ids] == [ticket["id"]]
    assert [line.ticket_number for line in event.lines] == [ticket["ticket_number"]] * 2
    assert event.journal is not None and event.business_district == "permian"
    assert event.sales_rep == "rep-jones" and len(event.taxes) == 3


@pytest.mark.parametrize(
    ("certificate", "tax_total"),
    [
        (
            ExemptionCertificate(
                id="00000000-0000-0000-0000-000000000001",
                jurisdiction="TX",
                certificate_number="EX-1",
                expires_on="2027-12-31",
            ),
            "0.00",
        ),
        (
            ExemptionCertificate(
                id="00000000-0000-0000-0000-000000000002",
                jurisdiction="TX",
                certificate_number="EX-OLD",
                expires_on="2026-10-31",
            ),
            "13.10",
        ),
        (
            ExemptionCertificate(
                id="00000000-0000-0000-0000-000000000003",
                jurisdiction="TX-MIDLAND-CITY",
                certificate_number="EX-CITY",
            ),
            "8.11",
        ),
    ],
    ids=[
        "valid-state-certificate-exempts-all",
        "expired-certificate-exempts-nothing",
        "city-certificate-exempts-the-city-only",
    ],
)
async def test_exemption_certificates_on_the_invoice_date(
    api: httpx.AsyncClient,
    auth: AuthHeaders,
    bus: InProcessBus,
    certificate: ExemptionCertificate,
    tax_total: str,
) -> None:
    customer = await _customer(
        bus, InvoiceGrouping.PER_TICKET, exemption_certificates=[certificate]
    )
    await ready_ticket(api, auth, ticket_body(customer.id))
    run = await run_billing(api, auth)
    [invoice] = await invoices_of_run(api, auth, run["id"])
    assert invoice["tax_total"] == tax_total


async def test_run_groups_each_customers_tickets_per_its_billing_profile(
    api: httpx.AsyncClient, auth: AuthHeaders, bus: InProcessBus
) -> None:
    per_ticket = await _customer(bus, InvoiceGrouping.PER_TICKET, account_number="C1")
    per_po = await _customer(bus, InvoiceGrouping.PER_PO, account_number="C2")
    per_site = await _customer(bus, InvoiceGrouping.PER_JOB_SITE, account_number="C3")
    consolidated = await _customer(bus, InvoiceGrouping.CONSOLIDATED, account_number="C4")
    for customer in (per_ticket, per_po, per_site, consolidated):
        for po, site in (("PO-1", "Yard 4"), ("PO-1", "Yard 9"), ("PO-2", "Yard 4")):
            await ready_ticket(api, auth, ticket_body(customer.id, po_number=po, job_site=site))

    preview = await run_billing(api, auth, dry_run=True)
    groups = {(d["account_number"], d["group"]) for d in preview["drafts"]}
    assert preview["draft_count"] == 3 + 2 + 2 + 1 and preview["status"] == "dry_run"
    assert {g for a, g in groups if a == "C2"} == {"po:PO-1", "po:PO-2"}
    assert {g for a, g in groups if a == "C3"} == {"job_site:yard 4", "job_site:yard 9"}
    assert {g for a, g in groups if a == "C4"} == {"consolidated"}
    assert all(d["invoice_id"] is None for d in preview["drafts"])

    run = await run_billing(api, auth)
    assert (run["draft_count"], run["ticket_count"]) == (8, 12)
    consolidated_invoice = next(
        i
        for i in await invoices_of_run(api, auth, run["id"])
        if i["customer_id"] == str(consolidated.id)
    )
    assert (
        len(consolidated_invoice["ticket_ids"]) == 3 and consolidated_invoice["po_number"] is None
    )


async def test_a_second_run_finds_nothing_left_to_bill(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot
) -> None:
    await ready_ticket(api, auth, ticket_body(acme.id))
    first = await run_billing(api, auth)
    second = await run_billing(api, auth)
    await issue_run(api, auth, first["id"])
    again = await issue_run(api, auth, first["id"])

    assert (first["draft_count"], second["draft_count"]) == (1, 0)
    assert again["issued_count"] == 1
    assert len(await invoices_of_run(api, auth, first["id"])) == 1
    listed = (await api.get("/v1/billing-runs", headers=auth(Role.AUDITOR))).json()["items"]
    assert [(r["id"], r["issued_count"]) for r in listed] == [(first["id"], 1), (second["id"], 0)]


async def test_run_lists_tickets_it_leaves_out_with_the_reason(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot, bus: InProcessBus
) -> None:
    ticket = await ready_ticket(api, auth, ticket_body(acme.id))
    await deliver(bus, revised(acme, 2, credit_hold=True))
    run = await run_billing(api, auth)
    assert run["draft_count"] == 0
    assert [(e["ticket_number"], e["reason"]) for e in run["exceptions"]] == [
        (ticket["ticket_number"], "customer is on credit hold")
    ]


async def test_issuing_a_dry_run_is_refused(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot
) -> None:
    run = await run_billing(api, auth, dry_run=True)
    response = await api.post(
        f"/v1/billing-runs/{run['id']}/issue", headers=auth(Role.AR_COORDINATOR)
    )
    assert response.status_code == 409


async def test_voiding_a_run_invoice_makes_its_ticket_billable_again_under_a_new_number(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot
) -> None:
    ticket = await ready_ticket(api, auth, ticket_body(acme.id))
    first = await run_billing(api, auth)
    await issue_run(api, auth, first["id"])
    [voided] = await invoices_of_run(api, auth, first["id"])
    response = await api.post(
        f"/v1/invoices/{voided['id']}/void",
        json={"reason": "wrong PO"},
        headers=auth(Role.AR_COORDINATOR),
    )
    assert response.status_code == 200, response.text
    freed = (await api.get(f"/v1/tickets/{ticket['id']}", headers=auth(Role.AUDITOR))).json()
    assert (freed["status"], freed["invoice_id"]) == ("ready", None)

    second = await run_billing(api, auth)
    await issue_run(api, auth, second["id"])
    [rebilled] = await invoices_of_run(api, auth, second["id"])
    assert (voided["number"], rebilled["number"]) == ("INV-2026-000001", "INV-2026-000002")
    assert rebilled["ticket_ids"] == [ticket["id"]]


async def test_run_lists_the_held_tickets_of_its_districts_and_cut_off_with_their_reasons(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot
) -> None:
    billed = await ready_ticket(api, auth, ticket_body(acme.id))
    held = await post_ticket(api, auth, ticket_body(acme.id, po_number=None))
    await post_ticket(api, auth, ticket_body(acme.id, business_district="anadarko"))
    await post_ticket(api, auth, ticket_body(acme.id, closed_at="2026-12-01T17:00:00Z"))

    run = await run_billing(api, auth, dry_run=True)
    assert [d["ticket_numbers"] for d in run["drafts"]] == [[billed["ticket_number"]]]
    [exception] = run["exceptions"]
    assert (exception["ticket_number"], exception["reasons"]) == (
        held["ticket_number"],
        ["missing document: time_sheet", "PO number required by the customer's billing profile"],
    )
    assert exception["reason"] == (
        "held: missing document: time_sheet; PO number required by the customer's billing profile"
    )


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"districts": ["permian", "nowhere"]}, "district nowhere"),
        ({"invoice_date": "2026-11-29"}, "before the cut-off 2026-11-30"),
        ({"cut_off": "2026-11-30", "invoice_date": "2099-12-01"}, "2099-12-01 is after"),
    ],
)
async def test_a_run_that_cannot_be_what_was_meant_is_refused(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot, body: dict, says: str
) -> None:
    await ready_ticket(api, auth, ticket_body(acme.id))
    request = {"districts": ["permian"], "cut_off": "2026-11-30", "invoice_date": "2026-11-30"}
    response = await api.post(
        "/v1/billing-runs", json=request | body, headers=auth(Role.AR_COORDINATOR)
    )
    assert response.status_code == 422, response.text
    assert says in response.json()["detail"]
    listed = (await api.get("/v1/billing-runs", headers=auth(Role.AUDITOR))).json()["items"]
    assert listed == []


async def test_special_instructions_and_the_job_site_address_reach_the_review_and_the_invoice(
    api: httpx.AsyncClient, auth: AuthHeaders, bus: InProcessBus
) -> None:
    instructions = "Mail a copy to the field office; reference AFE 2291 on every page."
    profile = BillingProfile(grouping=InvoiceGrouping.PER_PO, special_instructions=instructions)
    snapshot = job_site_customer(billing_profile=profile)
    await deliver(bus, CustomerRegistered(customer=snapshot))
    await ready_ticket(api, auth, ticket_body(snapshot.id))
    preview = await run_billing(api, auth, dry_run=True)
    assert [d["special_instructions"] for d in preview["drafts"]] == [instructions]

    run = await run_billing(api, auth)
    await issue_run(api, auth, run["id"])
    [invoice] = await invoices_of_run(api, auth, run["id"])
    assert invoice["special_instructions"] == instructions
    assert invoice["job_site_address"] == {
        "line1": "FM 1788",
        "line2": None,
        "city": "Midland",
        "county": "Midland",
        "region": "TX",
        "postal_code": "79706",
        "country": "US",
    }
    response = await api.get(f"/v1/invoices/{invoice['id']}/pdf", headers=auth(Role.AUDITOR))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    for expected in ("Yard 4", "FM 1788", "Midland, TX 79706", "Special instructions", "AFE 2291"):
        assert expected in text, expected
