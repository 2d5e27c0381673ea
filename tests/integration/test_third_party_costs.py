"""Third-party costs on real PostgreSQL and Kafka, next to customers, collections and credit: a
cost coded to a ticket already invoiced becomes a supplementary invoice in collections' ledger
and credit's exposure, one
coded to a ticket not yet billed joins its invoice in the next run, a rejected bill posts
nothing, collections keeps the bill's journal lines, and every entry balances."""

import uuid
from decimal import Decimal
from typing import Any

import pytest
from sqlmodel import select

from services.collections.models import JournalLine
from services.collections.service import definition as collections_definition
from services.credit.service import definition as credit_definition
from services.customers.service import definition as customers_definition
from services.invoicing.service import definition as invoicing_definition
from shared.auth import Role
from shared.service import Service
from tests.conftest import AuthHeaders
from tests.integration.conftest import client
from tests.services.invoicing.conftest import set_up_tax, ticket_body
from tests.support import eventually, new_customer

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]

PROFILE = {
    "grouping": "per_ticket",
    "po_required": False,
    "required_documents": [],
    "delivery_method": "email",
    "pass_through_markup": "0.10",
}
SITE = {
    "line1": "FM 1788",
    "city": "Midland",
    "county": "Midland",
    "region": "TX",
    "postal_code": "79706",
    "country": "US",
}


async def _ok(http: Any, method: str, path: str, auth: AuthHeaders, role: Role, **kw: Any) -> Any:
    response = await http.request(method, path, headers=auth(role), **kw)
    assert response.status_code in (200, 201), response.text
    return response.json()


async def _run(http: Any, auth: AuthHeaders) -> list[dict[str, Any]]:
    run = await _ok(
        http,
        "POST",
        "/v1/billing-runs",
        auth,
        Role.AR_COORDINATOR,
        json={"districts": ["permian"], "cut_off": "2026-11-30", "invoice_date": "2026-11-30"},
    )
    await _ok(http, "POST", f"/v1/billing-runs/{run['id']}/issue", auth, Role.AR_COORDINATOR)
    page = await _ok(
        http, "GET", "/v1/invoices", auth, Role.AUDITOR, params={"billing_run_id": run["id"]}
    )
    return page["items"]


def _bill(vendor_id: str, number: str, lines: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "vendor_id": vendor_id,
        "number": number,
        "bill_date": "2026-11-10",
        "currency": "USD",
        "total": str(sum(Decimal(cost) for _, cost in lines)),
        "lines": [
            {
                "description": "Vac truck haul",
                "amount": cost,
                "account": "5200",
                "cost_category": "trucking",
                "ticket_number": ticket,
                "billable": True,
            }
            for ticket, cost in lines
        ],
    }


async def test_costs_after_and_before_the_invoice_reach_the_customers_invoices_and_ledger(
    start_distributed: Any, auth: AuthHeaders
) -> None:
    customers: Service = (await start_distributed(customers_definition))[0]
    invoicing: Service = (await start_distributed(invoicing_definition))[0]
    collections: Service = (await start_distributed(collections_definition))[0]
    credit: Service = (await start_distributed(credit_definition))[0]
    async with client(customers) as http:
        customer = await _ok(
            http,
            "POST",
            "/v1/customers",
            auth,
            Role.AR_COORDINATOR,
            json=new_customer(billing_profile=PROFILE),
        )
    async with client(invoicing) as http:

        async def copied() -> bool:
            response = await http.get(
                f"/v1/billing-accounts/{customer['id']}", headers=auth(Role.AUDITOR)
            )
            return response.status_code == 200

        await eventually(copied)
        await set_up_tax(http, auth)
        parts_only = {"job_site_address": SITE}
        first = ticket_body(uuid.UUID(customer["id"]), ticket_number="T-3001", **parts_only)
        first["lines"] = first["lines"][1:]
        await _ok(http, "POST", "/v1/tickets", auth, Role.INTEGRATION, json=first)
        [original] = await _run(http, auth)

        second = ticket_body(uuid.UUID(customer["id"]), ticket_number="T-3002", **parts_only)
        second["lines"] = second["lines"][1:]
        await _ok(http, "POST", "/v1/tickets", auth, Role.INTEGRATION, json=second)

        vendor = await _ok(
            http, "POST", "/v1/vendors", auth, Role.AR_COORDINATOR, json={"name": "Basin Hauling"}
        )
        rejected = await _ok(
            http,
            "POST",
            "/v1/vendor-bills",
            auth,
            Role.AR_COORDINATOR,
            json=_bill(vendor["id"], "BH-0", [("T-3001", "999.00")]),
        )
        await _ok(
            http,
            "POST",
            f"/v1/vendor-bills/{rejected['id']}/reject",
            auth,
            Role.AR_COORDINATOR,
            json={"reason": "not ours"},
        )
        bill = await _ok(
            http,
            "POST",
            "/v1/vendor-bills",
            auth,
            Role.AR_COORDINATOR,
            json=_bill(vendor["id"], "BH-1", [("T-3001", "200.00"), ("T-3002", "50.00")]),
        )
        await _ok(
            http,
            "POST",
            f"/v1/vendor-bills/{bill['id']}/approve",
            auth,
            Role.AR_COORDINATOR,
            json={},
        )
        [proposal] = (await _ok(http, "GET", "/v1/cost-adjustments", auth, Role.AUDITOR))["items"]
        assert (proposal["invoice_id"], proposal["amount"]) == (original["id"], "220.00")
        issued = await _ok(
            http, "POST", f"/v1/cost-adjustments/{proposal['id']}/issue", auth, Role.AR_COORDINATOR
        )
        [joined] = await _run(http, auth)
        assert joined["lines"][-1]["amount"] == "55.00"  # 50.00 x 1.10
        journal = (
            await _ok(http, "GET", "/v1/journal", auth, Role.AUDITOR, params={"limit": 500})
        )["items"]
    for entry in journal:
        postings = entry["postings"]
        assert sum(Decimal(p["debit"]) for p in postings) == sum(
            Decimal(p["credit"]) for p in postings
        )
    assert [e["document_number"] for e in journal if e["source"] == "vendor_bill"] == ["BH-1"]

    async with client(collections) as http:

        async def in_ledger() -> Any:
            response = await http.get(
                f"/v1/ledger/items/{issued['document_id']}", headers=auth(Role.AUDITOR)
            )
            return response.json() if response.status_code == 200 else None

        item = await eventually(in_ledger)
        # Trucking bills on as delivery, which none of these jurisdictions taxes.
        assert (item["original_amount"], item["customer_id"]) == ("220.00", customer["id"])

    async def bill_journal() -> list[JournalLine]:
        async with collections.db.transaction() as session:
            rows = await session.exec(
                select(JournalLine).where(JournalLine.source == "vendor_bill")
            )
            return list(rows.all())

    lines = await eventually(bill_journal)
    assert (
        sum(line.debit for line in lines) == sum(line.credit for line in lines) == Decimal("250.00")
    )

    # Credit's exposure holds the original, the supplementary invoice and the one the cost joined.
    owed = sum(Decimal(i["total"]) for i in (original, joined)) + Decimal(item["original_amount"])
    async with client(credit) as http:

        async def exposure_holds_all_three() -> bool:
            response = await http.get(f"/v1/exposure/{customer['id']}", headers=auth(Role.AUDITOR))
            return response.is_success and Decimal(response.json()["open_ar"]) == owed

        await eventually(exposure_holds_all_three, timeout=30)
