"""Third-party (vendor) bills: vendors, entry and import with coding checks, duplicates,
suggestions, approval limits, posting Dr cost / Cr AP, rejection and reversal."""

import io
import json
from decimal import Decimal
from typing import Any

import httpx
import pytest
from openpyxl import Workbook

from shared.auth import Role
from shared.bus import InProcessBus
from shared.events.catalog import topic_for
from shared.events.customers import CustomerSnapshot
from shared.events.invoicing import VendorBillPosted
from tests.conftest import AuthHeaders
from tests.services.invoicing.conftest import PDF, post_ticket, ticket_body
from tests.support import eventually


async def vendor(api: httpx.AsyncClient, auth: AuthHeaders, **overrides: Any) -> dict[str, Any]:
    body = {
        "name": "Basin Hauling LLC",
        "tax_id": "75-1234567",
        "remit_to": {
            "line1": "PO Box 12",
            "city": "Odessa",
            "region": "TX",
            "postal_code": "79760",
            "country": "US",
        },
        "default_expense_account": "5200",
    } | overrides
    response = await api.post("/v1/vendors", json=body, headers=auth(Role.AR_COORDINATOR))
    assert response.status_code == 201, response.text
    return response.json()


def bill_body(vendor_id: str, ticket_number: str, **overrides: Any) -> dict[str, Any]:
    body = {
        "vendor_id": vendor_id,
        "number": "BH-1001",
        "bill_date": "2026-11-05",
        "currency": "USD",
        "total": "650.00",
        "lines": [
            {
                "description": "Vac truck haul",
                "amount": "400.00",
                "account": "5200",
                "cost_category": "trucking",
                "ticket_number": ticket_number,
            },
            {
                "description": "Disposal fee",
                "amount": "250.00",
                "account": "5300",
                "cost_category": "disposal",
                "ticket_number": ticket_number,
            },
        ],
    } | overrides
    return body


async def enter(
    api: httpx.AsyncClient, auth: AuthHeaders, body: dict[str, Any], subject: str = "coord"
) -> httpx.Response:
    return await api.post(
        "/v1/vendor-bills", json=body, headers=auth(Role.AR_COORDINATOR, subject=subject)
    )


@pytest.fixture
async def ticket(api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot) -> dict:
    return await post_ticket(api, auth, ticket_body(acme.id, ticket_number="T-1042"))


async def test_a_vendor_needs_an_active_cost_account_of_the_chart(
    api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    created = await vendor(api, auth)
    assert (created["name"], created["default_expense_account"]) == ("Basin Hauling LLC", "5200")
    response = await api.post(
        "/v1/vendors",
        json={"name": "Nobody", "default_expense_account": "1200"},
        headers=auth(Role.AR_COORDINATOR),
    )
    assert response.status_code == 422, response.text


async def test_a_coded_bill_posts_dr_cost_cr_payable_and_publishes_its_postings(
    api: httpx.AsyncClient, auth: AuthHeaders, ticket: dict, bus: InProcessBus
) -> None:
    v = await vendor(api, auth)
    response = await enter(api, auth, bill_body(v["id"], "T-1042"))
    assert response.status_code == 201, response.text
    bill = response.json()
    assert (bill["status"], bill["uncoded_lines"], bill["possible_duplicates"]) == (
        "entered",
        [],
        [],
    )
    assert [line["ticket_id"] for line in bill["lines"]] == [ticket["id"], ticket["id"]]

    response = await api.post(
        f"/v1/vendor-bills/{bill['id']}/approve", json={}, headers=auth(Role.AR_COORDINATOR)
    )
    assert response.status_code == 200, response.text
    posted = response.json()
    assert posted["status"] == "posted"

    journal = (await api.get("/v1/journal", headers=auth(Role.AUDITOR))).json()["items"]
    [entry] = [e for e in journal if e["source"] == "vendor_bill"]
    sides = {(p["account"], p["debit"], p["credit"]) for p in entry["postings"]}
    assert sides == {("5200", "400.00", "0"), ("5300", "250.00", "0"), ("2010", "0", "650.00")}
    assert all(p["business_district"] == "permian" for p in entry["postings"][:2])

    def posted_events() -> list[VendorBillPosted]:
        return [
            VendorBillPosted.model_validate(json.loads(m.value)["payload"])
            for m in bus.retained[topic_for("invoicing")]
            if m.header("event_type") == "vendor_bill.posted"
        ]

    async def now() -> list[VendorBillPosted]:
        return posted_events()

    [event] = await eventually(now)
    assert (event.number, event.total, event.journal.entry_id) == (
        "BH-1001",
        Decimal("650.00"),
        uuid_of(posted["entry_id"]),
    )

    # Immutable once posted: recoding is refused, and approving again.
    response = await api.put(
        f"/v1/vendor-bills/{bill['id']}/lines/1/coding",
        json={"account": "5100", "cost_category": "labor", "ticket_number": "T-1042"},
        headers=auth(Role.AR_COORDINATOR),
    )
    assert response.status_code == 422, response.text
    response = await api.post(
        f"/v1/vendor-bills/{bill['id']}/approve", json={}, headers=auth(Role.AR_COORDINATOR)
    )
    assert response.status_code == 422, response.text


def uuid_of(text: str) -> Any:
    import uuid

    return uuid.UUID(text)


async def test_coding_refuses_unknown_accounts_and_jobs_and_lines_that_do_not_tie(
    api: httpx.AsyncClient, auth: AuthHeaders, ticket: dict
) -> None:
    v = await vendor(api, auth)
    body = bill_body(v["id"], "T-1042", total="700.00")
    body["lines"][0]["account"] = "9999"
    body["lines"][1]["ticket_number"] = "T-NOPE"
    response = await enter(api, auth, body)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert {(e["field"], e["code"]) for e in problem["errors"]} == {
        ("lines[1].account", "unknown_account"),
        ("lines[2].job", "unknown_job"),
        ("lines", "does_not_tie"),
    }
    listed = (await api.get("/v1/vendor-bills", headers=auth(Role.AUDITOR))).json()
    assert listed["items"] == []


async def test_same_number_is_a_conflict_naming_the_first_and_a_near_duplicate_is_flagged(
    api: httpx.AsyncClient, auth: AuthHeaders, ticket: dict
) -> None:
    v = await vendor(api, auth)
    first = (await enter(api, auth, bill_body(v["id"], "T-1042"))).json()
    again = await enter(api, auth, bill_body(v["id"], "T-1042"))
    assert again.status_code == 409, again.text
    assert again.json()["vendor_bill_id"] == first["id"]

    near = await enter(
        api, auth, bill_body(v["id"], "T-1042", number="BH-1002", bill_date="2026-11-08")
    )
    assert near.status_code == 201, near.text
    assert near.json()["possible_duplicates"] == [first["id"]]
    far = await enter(
        api, auth, bill_body(v["id"], "T-1042", number="BH-1003", bill_date="2026-11-20")
    )
    assert far.json()["possible_duplicates"] == []

    url = f"/v1/vendor-bills/{near.json()['id']}/approve"
    response = await api.post(url, json={}, headers=auth(Role.AR_COORDINATOR))
    assert response.status_code == 422, response.text
    assert response.json()["possible_duplicates"] == [first["id"]]
    response = await api.post(
        url, json={"duplicate_reviewed": True}, headers=auth(Role.AR_COORDINATOR)
    )
    assert response.status_code == 200, response.text


async def test_above_the_limit_a_supervisor_approves_and_never_their_own_bill(
    api: httpx.AsyncClient, auth: AuthHeaders, ticket: dict
) -> None:
    v = await vendor(api, auth)
    body = bill_body(v["id"], "T-1042", total="6000.00")
    body["lines"][0]["amount"] = "5750.00"
    own = (
        await api.post(
            "/v1/vendor-bills", json=body, headers=auth(Role.AR_SUPERVISOR, subject="sup")
        )
    ).json()
    url = f"/v1/vendor-bills/{own['id']}/approve"
    assert (
        await api.post(url, json={}, headers=auth(Role.AR_COORDINATOR, subject="coord"))
    ).status_code == 403
    assert (
        await api.post(url, json={}, headers=auth(Role.AR_SUPERVISOR, subject="sup"))
    ).status_code == 403
    response = await api.post(url, json={}, headers=auth(Role.AR_SUPERVISOR, subject="sup2"))
    assert response.status_code == 200, response.text
    assert response.json()["approved_by"] == "sup2"


async def test_a_rejected_bill_posts_nothing(
    api: httpx.AsyncClient, auth: AuthHeaders, ticket: dict
) -> None:
    v = await vendor(api, auth)
    bill = (await enter(api, auth, bill_body(v["id"], "T-1042"))).json()
    response = await api.post(
        f"/v1/vendor-bills/{bill['id']}/reject",
        json={"reason": "not our job"},
        headers=auth(Role.AR_COORDINATOR),
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "rejected"
    response = await api.post(
        f"/v1/vendor-bills/{bill['id']}/approve", json={}, headers=auth(Role.AR_COORDINATOR)
    )
    assert response.status_code == 422
    journal = (await api.get("/v1/journal", headers=auth(Role.AUDITOR))).json()["items"]
    assert [e for e in journal if e["source"] == "vendor_bill"] == []


async def test_a_posted_bill_is_corrected_by_a_reversing_bill(
    api: httpx.AsyncClient, auth: AuthHeaders, ticket: dict
) -> None:
    v = await vendor(api, auth)
    bill = (await enter(api, auth, bill_body(v["id"], "T-1042"))).json()
    await api.post(
        f"/v1/vendor-bills/{bill['id']}/approve", json={}, headers=auth(Role.AR_COORDINATOR)
    )
    response = await api.post(
        f"/v1/vendor-bills/{bill['id']}/reverse", headers=auth(Role.AR_COORDINATOR)
    )
    assert response.status_code == 201, response.text
    reversal = response.json()
    assert (reversal["number"], reversal["total"], reversal["reverses"]) == (
        "BH-1001-REV",
        "-650.00",
        bill["id"],
    )
    original = (await api.get(f"/v1/vendor-bills/{bill['id']}", headers=auth(Role.AUDITOR))).json()
    assert (original["status"], original["reversed_by"]) == ("reversed", reversal["id"])
    journal = (await api.get("/v1/journal", headers=auth(Role.AUDITOR))).json()["items"]
    entries = [e for e in journal if e["source"] == "vendor_bill"]
    net: dict[str, Decimal] = {}
    for entry in entries:
        for p in entry["postings"]:
            net[p["account"]] = (
                net.get(p["account"], Decimal(0)) + Decimal(p["debit"]) - Decimal(p["credit"])
            )
    assert len(entries) == 2 and set(net.values()) == {Decimal(0)}


async def test_uncoded_lines_are_coded_from_the_vendors_history_only_when_sure(
    api: httpx.AsyncClient, auth: AuthHeaders, ticket: dict
) -> None:
    v = await vendor(api, auth)
    for n in range(3):
        body = bill_body(v["id"], "T-1042", number=f"BH-2{n}", bill_date=f"2026-10-{10 + n * 7}")
        assert (await enter(api, auth, body)).status_code == 201
    body = bill_body(v["id"], "T-1042", number="BH-30", total="480.00")
    body["lines"] = [
        {"description": "Vac truck haul T-1042", "amount": "300.00"},
        {"description": "Pressure washer", "amount": "180.00"},
    ]
    bill = (await enter(api, auth, body)).json()
    sure, unsure = bill["lines"]
    assert (sure["auto_coded"], sure["account"], sure["cost_category"], sure["ticket_id"]) == (
        True,
        "5200",
        "trucking",
        ticket["id"],
    )
    assert sure["suggestion"]["confidence"] >= 0.9
    assert "names ticket T-1042" in sure["suggestion"]["explanation"]
    assert (unsure["auto_coded"], unsure["account"]) == (False, None)
    assert unsure["suggestion"]["confidence"] < 0.9
    assert bill["uncoded_lines"] == [2]
    response = await api.post(
        f"/v1/vendor-bills/{bill['id']}/approve", json={}, headers=auth(Role.AR_COORDINATOR)
    )
    assert response.status_code == 422 and response.json()["uncoded_lines"] == [2]


CSV_HEADER = (
    "vendor,bill_number,bill_date,currency,bill_total,description,amount,account,cost_category,"
    "ticket_number\n"
)


async def _import(
    api: httpx.AsyncClient, auth: AuthHeaders, content: bytes, name: str = "bills.csv"
) -> httpx.Response:
    return await api.post(
        "/v1/vendor-bills/import",
        files={"file": (name, content, "application/octet-stream")},
        headers=auth(Role.AR_COORDINATOR),
    )


async def test_an_import_names_every_bad_row_and_imports_nothing(
    api: httpx.AsyncClient, auth: AuthHeaders, ticket: dict
) -> None:
    await vendor(api, auth)
    content = (
        CSV_HEADER
        + "Basin Hauling LLC,BH-1,2026-11-05,USD,100.00,Haul,100.00,5200,trucking,T-1042\n"
        + "Basin Hauling LLC,BH-2,2026-11-05,USD,100.00,Haul,abc,5200,trucking,T-1042\n"
        + "Nobody Inc,BH-3,2026-11-05,USD,100.00,Haul,100.00,5200,trucking,T-1042\n"
    ).encode()
    response = await _import(api, auth, content)
    assert response.status_code == 422, response.text
    assert {e["field"].split(".")[0] for e in response.json()["errors"]} == {"row 3", "row 4"}
    listed = (await api.get("/v1/vendor-bills", headers=auth(Role.AUDITOR))).json()
    assert listed["items"] == []


async def test_a_csv_and_an_xlsx_import_make_one_bill_per_vendor_and_number(
    api: httpx.AsyncClient, auth: AuthHeaders, ticket: dict
) -> None:
    v = await vendor(api, auth)
    content = (
        CSV_HEADER
        + "Basin Hauling LLC,BH-1,2026-11-05,USD,150.00,Haul,100.00,5200,trucking,T-1042\n"
        + f"{v['id']},BH-1,2026-11-05,USD,150.00,Dump fee,50.00,5300,disposal,T-1042\n"
    ).encode()
    response = await _import(api, auth, content)
    assert response.status_code == 201, response.text
    assert (response.json()["imported"], response.json()["lines"]) == (1, 2)

    book = Workbook()
    sheet = book.active
    sheet.append(CSV_HEADER.strip().split(","))
    sheet.append(
        [
            "Basin Hauling LLC",
            "BH-9",
            "2026-11-06",
            "USD",
            "75.5",
            "Haul",
            "75.50",
            "5200",
            "trucking",
            "T-1042",
        ]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    response = await _import(api, auth, buffer.getvalue(), "bills.xlsx")
    assert response.status_code == 201, response.text
    [bill_id] = response.json()["bill_ids"]
    bill = (await api.get(f"/v1/vendor-bills/{bill_id}", headers=auth(Role.AUDITOR))).json()
    assert (bill["total"], bill["lines"][0]["amount"]) == ("75.50", "75.50")


async def test_the_bills_pdf_is_kept_with_it(
    api: httpx.AsyncClient, auth: AuthHeaders, ticket: dict
) -> None:
    v = await vendor(api, auth)
    bill = (await enter(api, auth, bill_body(v["id"], "T-1042"))).json()
    response = await api.post(
        f"/v1/vendor-bills/{bill['id']}/documents",
        files={"file": ("bh-1001.pdf", PDF, "application/pdf")},
        headers=auth(Role.AR_COORDINATOR),
    )
    assert response.status_code == 201, response.text
    document = response.json()
    response = await api.get(
        f"/v1/vendor-bills/{bill['id']}/documents/{document['id']}", headers=auth(Role.AUDITOR)
    )
    assert (response.status_code, response.content) == (200, PDF)
    response = await api.post(
        f"/v1/vendor-bills/{bill['id']}/documents",
        files={"file": ("x.txt", b"hello", "text/plain")},
        headers=auth(Role.AR_COORDINATOR),
    )
    assert response.status_code == 422
