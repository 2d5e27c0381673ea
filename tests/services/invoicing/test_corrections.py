"""Manual invoices, credit memos, rebills and voids: corrections are documents, and every one
posts a balanced journal entry."""

import io
import json
from datetime import datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
import time_machine
from pypdf import PdfReader

from shared.auth import Role
from shared.bus import InProcessBus
from shared.clock import DEFAULT_TIME_ZONE, time_zone
from shared.events.catalog import topic_for
from shared.events.customers import CustomerSnapshot
from shared.events.journal import JournalEntry
from tests.conftest import AuthHeaders
from tests.support import eventually

pytestmark = pytest.mark.usefixtures("in_november_2026", "taxed")


@pytest.fixture
def in_november_2026(time_machine: time_machine.TimeMachineFixture) -> None:
    """The corrections happen days after the invoices' date (2026-11-15), in the same month and
    year: voids, credit memos and their numbers fall in November 2026."""
    time_machine.move_to(datetime(2026, 11, 20, 12, tzinfo=time_zone(DEFAULT_TIME_ZONE)))


INVOICES = "/v1/invoices"
MANUAL = {
    "po_number": "PO-9",
    "job_site": "Yard 4",
    "invoice_date": "2026-11-15",
    "lines": [
        {
            "description": "Rental: 2in trash pump",
            "quantity": "3",
            "unit": "day",
            "unit_price": "150.00",
            "taxability": "rental",
            "service_line": "rentals",
        },
        {
            "description": "Site survey",
            "quantity": "1",
            "unit": "ea",
            "unit_price": "200.00",
            "taxability": "labor",
            "service_line": "services",
        },
    ],
}


async def _issued(
    api: httpx.AsyncClient, auth: AuthHeaders, customer: CustomerSnapshot
) -> dict[str, Any]:
    draft = await api.post(
        INVOICES, json=MANUAL | {"customer_id": str(customer.id)}, headers=auth(Role.AR_COORDINATOR)
    )
    assert draft.status_code == 201, draft.text
    assert (draft.json()["status"], draft.json()["number"]) == ("draft", None)
    issued = await api.post(
        f"{INVOICES}/{draft.json()['id']}/issue", headers=auth(Role.AR_COORDINATOR)
    )
    assert issued.status_code == 200, issued.text
    return issued.json()


def _events(bus: InProcessBus, event_type: str) -> list[dict[str, Any]]:
    return [
        json.loads(m.value)["payload"]
        for m in bus.retained[topic_for("invoicing")]
        if m.header("event_type") == event_type
    ]


async def test_manual_invoice_is_drafted_then_issued_with_tax_and_number(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot
) -> None:
    invoice = await _issued(api, auth, acme)
    # rental 450.00 taxed by all three (6.25 % + 0.5 % + 1.5 %), survey 200.00 by the city
    assert [(t["jurisdiction"], t["amount"]) for t in invoice["taxes"]] == [
        ("TX", "28.13"),
        ("TX-MIDLAND-CITY", "9.75"),
        ("TX-MIDLAND-CO", "2.25"),
    ]
    assert (invoice["number"], invoice["total"], invoice["due_date"]) == (
        "INV-2026-000001",
        "690.13",
        "2026-12-15",
    )
    again = await api.post(f"{INVOICES}/{invoice['id']}/issue", headers=auth(Role.AR_COORDINATOR))
    assert again.status_code == 422


async def test_manual_invoice_refuses_unknown_customer_and_currency_mismatch(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot
) -> None:
    unknown = await api.post(
        INVOICES,
        json=MANUAL | {"customer_id": "00000000-0000-0000-0000-000000000009"},
        headers=auth(Role.AR_COORDINATOR),
    )
    euros = await api.post(
        INVOICES,
        json=MANUAL | {"customer_id": str(acme.id), "currency": "EUR"},
        headers=auth(Role.AR_COORDINATOR),
    )
    sales = await api.post(
        INVOICES, json=MANUAL | {"customer_id": str(acme.id)}, headers=auth(Role.SALES)
    )
    assert (unknown.status_code, euros.status_code, sales.status_code) == (422, 422, 403)
    assert (await api.get(INVOICES, headers=auth(Role.AUDITOR))).json()["items"] == []


async def test_partial_credit_memo_credits_units_and_their_tax(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot, bus: InProcessBus
) -> None:
    invoice = await _issued(api, auth, acme)
    body = {
        "invoice_id": invoice["id"],
        "reason_code": "returned_early",
        "lines": [{"line": 1, "quantity": "1"}],
    }
    response = await api.post("/v1/credit-memos", json=body, headers=auth(Role.AR_COORDINATOR))
    assert response.status_code == 201, response.text
    memo = response.json()
    # one day of 150.00: 9.375 → 9.38, 0.75, 2.25
    assert [(t["jurisdiction"], t["amount"]) for t in memo["taxes"]] == [
        ("TX", "9.38"),
        ("TX-MIDLAND-CITY", "2.25"),
        ("TX-MIDLAND-CO", "0.75"),
    ]
    assert (memo["number"], memo["subtotal"], memo["total"]) == (
        "CM-2026-000001",
        "150.00",
        "162.38",
    )
    after = (await api.get(f"{INVOICES}/{invoice['id']}", headers=auth(Role.AUDITOR))).json()
    assert (after["credited"], after["open_amount"]) == ("162.38", "527.75")

    async def published() -> list:
        return _events(bus, "credit_memo.issued")

    [event] = await eventually(published)
    assert (event["invoice_number"], event["total"], event["rebill"]) == (
        invoice["number"],
        "162.38",
        False,
    )


async def test_credit_memo_larger_than_open_or_above_limit_is_refused(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot, invoicing_service
) -> None:
    invoice = await _issued(api, auth, acme)
    too_much = {
        "invoice_id": invoice["id"],
        "reason_code": "x",
        "lines": [{"line": 1, "amount": "451"}],
    }
    assert (
        await api.post("/v1/credit-memos", json=too_much, headers=auth(Role.AR_SUPERVISOR))
    ).status_code == 422
    whole = {"invoice_id": invoice["id"], "reason_code": "wrong_customer"}
    invoicing_service.settings.credit_memo_approval_limit = Decimal(500)
    refused = await api.post("/v1/credit-memos", json=whole, headers=auth(Role.AR_COORDINATOR))
    approved = await api.post("/v1/credit-memos", json=whole, headers=auth(Role.AR_SUPERVISOR))
    again = await api.post("/v1/credit-memos", json=whole, headers=auth(Role.AR_SUPERVISOR))
    assert refused.status_code == 403 and "ar_supervisor" in refused.json()["detail"]
    assert approved.status_code == 201 and approved.json()["total"] == "690.13"
    assert again.status_code == 422
    assert "more than the 0.00 open" in again.json()["detail"]


async def test_the_approval_limit_counts_what_the_same_person_credited_on_the_invoice(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot, invoicing_service
) -> None:
    invoicing_service.settings.credit_memo_approval_limit = Decimal(500)
    invoice = await _issued(api, auth, acme)

    def post(role: Role, subject: str = "tester", amount: str = "150") -> Any:
        # 150 off the rental line is 162.38 with its tax
        memo = {"invoice_id": invoice["id"], "reason_code": "goodwill"}
        memo["lines"] = [{"line": 1, "amount": amount}]
        return api.post("/v1/credit-memos", json=memo, headers=auth(role, subject=subject))

    first_three = [(await post(Role.AR_COORDINATOR)).status_code for _ in range(3)]
    crossing = await post(Role.AR_COORDINATOR)
    assert first_three == [201, 201, 201]
    assert crossing.status_code == 403, crossing.text
    assert "649.52 on this invoice" in crossing.json()["detail"]
    assert (await post(Role.AR_SUPERVISOR)).status_code == 201
    # Another coordinator's own memos count against their own limit.
    assert (await post(Role.AR_COORDINATOR, subject="colleague", amount="10")).status_code == 201


async def test_the_approval_limit_can_count_a_customer_per_day(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot, invoicing_service
) -> None:
    invoicing_service.settings.credit_memo_approval_limit = Decimal(300)
    first, second = await _issued(api, auth, acme), await _issued(api, auth, acme)

    def post(invoice: dict[str, Any]) -> Any:
        memo = {"invoice_id": invoice["id"], "reason_code": "goodwill"}
        memo["lines"] = [{"line": 1, "amount": "150"}]
        return api.post("/v1/credit-memos", json=memo, headers=auth(Role.AR_COORDINATOR))

    assert [(await post(i)).status_code for i in (first, second)] == [201, 201]
    invoicing_service.settings.credit_memo_limit_per_customer_day = True
    refused = await post(first)
    assert refused.status_code == 403, refused.text
    assert "to this customer today" in refused.json()["detail"]


async def test_rebill_credits_the_original_and_issues_a_linked_corrected_invoice(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot, bus: InProcessBus
) -> None:
    original = await _issued(api, auth, acme)
    corrected_lines = [MANUAL["lines"][0] | {"quantity": "2"}]
    response = await api.post(
        f"{INVOICES}/{original['id']}/rebill",
        json={"reason_code": "quantity_error", "lines": corrected_lines},
        headers=auth(Role.AR_SUPERVISOR),
    )
    assert response.status_code == 200, response.text
    rebill = response.json()
    assert rebill["invoice"]["rebill_of"] == original["id"]
    assert (rebill["invoice"]["number"], rebill["credit_memo_number"]) == (
        "INV-2026-000002",
        "CM-2026-000001",
    )
    assert rebill["invoice"]["subtotal"] == "300.00"
    after = (await api.get(f"{INVOICES}/{original['id']}", headers=auth(Role.AUDITOR))).json()
    # Credited in full: it says so instead of reading `issued` (issue 13, point 11).
    assert after["open_amount"] == "0.00" and after["status"] == "credited"
    by_status = await api.get(INVOICES, params={"status": "credited"}, headers=auth(Role.AUDITOR))
    assert [i["id"] for i in by_status.json()["items"]] == [original["id"]]

    async def published() -> list:
        return _events(bus, "invoice.issued") if len(_events(bus, "invoice.issued")) == 2 else []

    events = await eventually(published)
    assert events[1]["rebill_of"] == original["id"]
    assert _events(bus, "credit_memo.issued")[0]["rebill"] is True


async def test_void_only_before_delivery_and_it_frees_the_tickets(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot, bus: InProcessBus
) -> None:
    first, second = await _issued(api, auth, acme), await _issued(api, auth, acme)
    delivered = await api.post(
        f"{INVOICES}/{second['id']}/deliver", headers=auth(Role.AR_COORDINATOR)
    )
    assert delivered.json()["delivery_status"] == "sent", delivered.json()

    voided = await api.post(
        f"{INVOICES}/{first['id']}/void",
        json={"reason": "duplicate"},
        headers=auth(Role.AR_COORDINATOR),
    )
    refused = await api.post(
        f"{INVOICES}/{second['id']}/void",
        json={"reason": "duplicate"},
        headers=auth(Role.AR_COORDINATOR),
    )
    assert voided.status_code == 200 and voided.json()["status"] == "voided"
    assert refused.status_code == 422 and "delivered" in refused.json()["detail"]
    trail = (await api.get(f"{INVOICES}/{first['id']}/history", headers=auth(Role.AUDITOR))).json()
    assert [e["action"] for e in trail] == ["invoice_drafted", "invoice_issued", "invoice_voided"]
    assert trail[-1]["reason"] == "duplicate"

    async def published() -> list:
        return _events(bus, "invoice.voided")

    [event] = await eventually(published)
    assert (event["number"], event["total"]) == (first["number"], first["total"])


async def test_every_document_posts_a_balanced_entry_to_the_chart_of_accounts(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot
) -> None:
    invoice = await _issued(api, auth, acme)
    await api.post(
        "/v1/credit-memos",
        json={
            "invoice_id": invoice["id"],
            "reason_code": "x",
            "lines": [{"line": 2, "amount": "50"}],
        },
        headers=auth(Role.AR_COORDINATOR),
    )
    void_me = await _issued(api, auth, acme)
    await api.post(
        f"{INVOICES}/{void_me['id']}/void",
        json={"reason": "keyed twice"},
        headers=auth(Role.AR_COORDINATOR),
    )

    response = await api.get(
        "/v1/journal", params={"from": "2026-01-01", "to": "2099-12-31"}, headers=auth(Role.AUDITOR)
    )
    entries = [JournalEntry.model_validate(e) for e in response.json()["items"]]
    assert sorted(e.source for e in entries) == [
        "credit_memo",
        "invoice",
        "invoice",
        "invoice_void",
    ]
    first = next(
        e for e in entries if e.document_id == invoice["id"] or str(e.document_id) == invoice["id"]
    )
    by_account = {
        (p.account, p.service_line or p.jurisdiction): (p.debit, p.credit) for p in first.postings
    }
    assert by_account[("1200", None)] == (Decimal("690.13"), 0)
    assert by_account[("4000", "rentals")] == (0, Decimal("450.00"))
    assert by_account[("2300", "TX")] == (0, Decimal("28.13"))
    memo = next(e for e in entries if e.source == "credit_memo")
    assert {p.account for p in memo.postings if p.credit} == {"1200"}


async def test_invoice_pdf_shows_what_a_customer_needs(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot
) -> None:
    invoice = await _issued(api, auth, acme)
    response = await api.get(f"{INVOICES}/{invoice['id']}/pdf", headers=auth(Role.AUDITOR))
    assert response.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    for expected in (
        "INV-2026-000001",
        "Remit to",
        "Bill to",
        "Permian Basin Services LLC",
        "Yard 4",
        "PO-9",
        "2/10 Net 30",
        "2026-12-15",
        "Texas (TX)",
        "City of Midland",
        "Rental: 2in trash pump",
        "690.13 USD",
    ):
        assert expected in text, expected


async def test_email_delivery_writes_the_invoice_to_the_mail_drop(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot, tmp_path
) -> None:
    invoice = await _issued(api, auth, acme)
    response = await api.post(
        f"{INVOICES}/{invoice['id']}/deliver", headers=auth(Role.AR_COORDINATOR)
    )
    assert response.json()["delivery_status"] == "sent"
    [eml] = list((tmp_path / "mail-drop").glob("*.eml"))
    message = eml.read_bytes()
    assert b"Subject: Invoice INV-2026-000001" in message and b"application/pdf" in message


async def test_legacy_invoices_are_imported_with_their_numbers_and_published(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot, bus: InProcessBus
) -> None:
    legacy = {
        "number": "L-1001",
        "customer_id": str(acme.id),
        "invoice_date": "2026-09-01",
        "lines": [
            {
                "description": "Old work",
                "quantity": "1",
                "unit": "ea",
                "unit_price": "500",
                "amount": "500.00",
            }
        ],
        "total": "500.00",
    }
    response = await api.post(
        f"{INVOICES}/import", json={"invoices": [legacy]}, headers=auth(Role.AR_COORDINATOR)
    )
    assert response.status_code == 201, response.text
    duplicate = await api.post(
        f"{INVOICES}/import", json={"invoices": [legacy]}, headers=auth(Role.AR_COORDINATOR)
    )
    wrong_total = await api.post(
        f"{INVOICES}/import",
        json={"invoices": [legacy | {"number": "L-2", "total": "1"}]},
        headers=auth(Role.AR_COORDINATOR),
    )
    assert (duplicate.status_code, wrong_total.status_code) == (409, 422)

    async def published() -> list:
        return _events(bus, "invoice.issued")

    [event] = await eventually(published)
    assert (event["number"], event["imported"], event["due_date"]) == ("L-1001", True, "2026-10-01")
    # Its opening balance: AR control against the conversion account, on its invoice date.
    journal = event["journal"]
    assert (journal["source"], journal["posted_on"]) == ("opening_balance", "2026-09-01")
    assert [(p["account"], p["debit"], p["credit"]) for p in journal["postings"]] == [
        ("1200", "500.00", "0"),
        ("3900", "0", "500.00"),
    ]


async def test_a_legacy_invoice_may_carry_an_open_balance_less_than_its_total(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot, bus: InProcessBus
) -> None:
    legacy = {
        "number": "L-7",
        "customer_id": str(acme.id),
        "invoice_date": "2026-09-01",
        "lines": [
            {
                "description": "Old",
                "quantity": "1",
                "unit": "ea",
                "unit_price": "500",
                "amount": "500.00",
            }
        ],
        "total": "500.00",
        "open_balance": "120.00",
    }
    too_much = await api.post(
        f"{INVOICES}/import",
        json={"invoices": [legacy | {"number": "L-8", "open_balance": "500.01"}]},
        headers=auth(Role.AR_COORDINATOR),
    )
    assert too_much.status_code == 422, too_much.text
    response = await api.post(
        f"{INVOICES}/import", json={"invoices": [legacy]}, headers=auth(Role.AR_COORDINATOR)
    )
    assert response.status_code == 201, response.text
    [invoice_id] = response.json()["invoice_ids"]
    invoice = (await api.get(f"{INVOICES}/{invoice_id}", headers=auth(Role.AUDITOR))).json()
    assert (invoice["total"], invoice["open_amount"]) == ("500.00", "120.00")

    async def published() -> list:
        return _events(bus, "invoice.issued")

    [event] = await eventually(published)
    assert (event["total"], event["open_balance"]) == ("500.00", "120.00")
    assert [(p["debit"], p["credit"]) for p in event["journal"]["postings"]] == [
        ("120.00", "0"),
        ("0", "120.00"),
    ]


async def test_tax_liability_reports_tax_per_jurisdiction_for_the_month(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot
) -> None:
    invoice = await _issued(api, auth, acme)
    await api.post(
        f"{INVOICES}/{(await _issued(api, auth, acme))['id']}/void",
        json={"reason": "dup"},
        headers=auth(Role.AR_COORDINATOR),
    )
    response = await api.get(
        "/v1/tax/liability", params={"period": "2026-11"}, headers=auth(Role.AUDITOR)
    )
    assert response.status_code == 200, response.text
    lines = {line["jurisdiction"]: line for line in response.json()["jurisdictions"]}
    assert invoice["taxes"][0] == {
        "jurisdiction": "TX",
        "name": "Texas",
        "rate": "0.0625",
        "taxable_amount": "450.00",
        "amount": "28.13",
    }
    # two invoices of 28.13 Texas tax each, one voided in the same month
    assert (lines["TX"]["invoiced_tax"], lines["TX"]["credited_tax"], lines["TX"]["net_tax"]) == (
        "56.26",
        "28.13",
        "28.13",
    )


async def test_tax_lookup_explains_which_jurisdictions_tax_an_address_on_a_day(
    api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    await api.post(
        "/v1/tax/jurisdictions/TX/rates",
        json={"effective_from": "2027-01-01", "rate": "0.07"},
        headers=auth(Role.AR_COORDINATOR),
    )
    query = {"region": "TX", "county": "Midland", "city": "Odessa", "on": "2026-12-31"}
    before = (await api.get("/v1/tax/lookup", params=query, headers=auth(Role.SALES))).json()
    after = (
        await api.get(
            "/v1/tax/lookup", params=query | {"on": "2027-01-01"}, headers=auth(Role.SALES)
        )
    ).json()
    assert [(j["code"], j["rate"]) for j in before] == [
        ("TX", "0.0625"),
        ("TX-MIDLAND-CO", "0.005"),
    ]
    assert after[0]["rate"] == "0.07" and after[0]["taxable_classes"] == ["goods", "rental"]


@pytest.mark.parametrize("effective_from", [0, 1700000000, "0", "20270101"])
async def test_a_rate_dated_by_a_number_is_refused_not_read_as_1970(
    api: httpx.AsyncClient, auth: AuthHeaders, effective_from: object
) -> None:
    response = await api.post(
        "/v1/tax/jurisdictions/TX/rates",
        json={"effective_from": effective_from, "rate": "0.07"},
        headers=auth(Role.AR_COORDINATOR),
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"].endswith("effective_from")
    listed = (await api.get("/v1/tax/jurisdictions", headers=auth(Role.SALES))).json()
    [texas] = [j for j in listed if j["code"] == "TX"]
    assert [rate["effective_from"] for rate in texas["rates"]] == ["2026-01-01"]


@pytest.mark.parametrize("invoice_date", ["2026-11-24", "2099-12-01", "9999-12-31"])
async def test_invoices_dated_beyond_the_tolerance_ahead_are_refused(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot, invoice_date: str
) -> None:
    """Today is 2026-11-20 and three days ahead are allowed; 9999-12-31 has no due date at all."""
    drafted = await api.post(
        INVOICES,
        json=MANUAL | {"customer_id": str(acme.id), "invoice_date": invoice_date},
        headers=auth(Role.AR_COORDINATOR),
    )
    legacy = {
        "number": "L-9",
        "customer_id": str(acme.id),
        "invoice_date": invoice_date,
        "lines": [
            {"description": "Old", "quantity": "1", "unit": "ea", "unit_price": "5", "amount": "5"}
        ],
        "total": "5.00",
    }
    imported = await api.post(
        f"{INVOICES}/import", json={"invoices": [legacy]}, headers=auth(Role.AR_COORDINATOR)
    )
    assert (drafted.status_code, imported.status_code) == (422, 422), imported.text
    assert f"{invoice_date} is after 2026-11-23" in drafted.json()["detail"]
    listed = (await api.get(INVOICES, headers=auth(Role.AUDITOR))).json()["items"]
    assert listed == []


async def test_an_invoice_dated_within_the_tolerance_ahead_is_accepted(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot
) -> None:
    drafted = await api.post(
        INVOICES,
        json=MANUAL | {"customer_id": str(acme.id), "invoice_date": "2026-11-23"},
        headers=auth(Role.AR_COORDINATOR),
    )
    assert drafted.status_code == 201, drafted.text


async def test_a_fully_credited_invoice_reads_credited_on_screen_and_on_paper(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot
) -> None:
    invoice = await _issued(api, auth, acme)
    memo = {"invoice_id": invoice["id"], "reason_code": "wrong_customer"}
    response = await api.post("/v1/credit-memos", json=memo, headers=auth(Role.AR_SUPERVISOR))
    assert response.status_code == 201, response.text
    after = (await api.get(f"{INVOICES}/{invoice['id']}", headers=auth(Role.AUDITOR))).json()
    assert (after["status"], after["open_amount"]) == ("credited", "0.00")
    issued = await api.get(INVOICES, params={"status": "issued"}, headers=auth(Role.AUDITOR))
    assert issued.json()["items"] == []
    pdf = await api.get(f"{INVOICES}/{invoice['id']}/pdf", headers=auth(Role.AUDITOR))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    for expected in ("INVOICE - CREDITED", "Credited", "Balance due", "0.00 USD", "FM 1788"):
        assert expected in text, expected
