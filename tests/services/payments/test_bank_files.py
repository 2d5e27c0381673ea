"""Bank and lockbox files: each format's sample (written to its specification) becomes payments
with their remittance; duplicates and bad lines are reported, good lines kept."""

from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.auth import Role
from shared.bus import InProcessBus
from shared.events.customers import CustomerSnapshot
from tests.conftest import AuthHeaders
from tests.services.payments.events import deliver_invoicing, invoice

FILES = Path(__file__).parent / "files"


@pytest.fixture
async def open_invoices(
    bus: InProcessBus, acme: CustomerSnapshot, other_customer: CustomerSnapshot
) -> dict[str, Any]:
    """The invoices the sample files pay: 123 and 125 are acme's, 124 and 126 the other
    customer's."""
    issued = [
        invoice(acme, "INV-2026-000123", "1250.00"),
        invoice(other_customer, "INV-2026-000124", "640.00"),
        invoice(acme, "INV-2026-000125", "600.00"),
        invoice(other_customer, "INV-2026-000126", "300.00"),
    ]
    await deliver_invoicing(bus, *issued)
    return {i.number: i for i in issued}


async def _upload(
    api: httpx.AsyncClient, auth: AuthHeaders, name: str, content: bytes | None = None, **form: str
) -> httpx.Response:
    body = content if content is not None else (FILES / name).read_bytes()
    return await api.post(
        "/v1/bank-files",
        files={"file": (name, body)},
        data=form,
        headers=auth(Role.INTEGRATION),
    )


async def _payments(
    api: httpx.AsyncClient, auth: AuthHeaders, ids: list[str]
) -> list[dict[str, Any]]:
    return [(await api.get(f"/v1/payments/{i}", headers=auth(Role.AUDITOR))).json() for i in ids]


def _applied(payments: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(a["invoice_number"], a["amount"]) for p in payments for a in p["applications"]}


@pytest.mark.parametrize(
    ("name", "file_format", "applied"),
    [
        ("statement.bai2", "bai2", {("INV-2026-000123", "1250.00"), ("INV-2026-000124", "640.00")}),
        (
            "statement.camt053.xml",
            "camt.053",
            {("INV-2026-000123", "1250.00"), ("INV-2026-000124", "640.00")},
        ),
        (
            "notification.camt054.xml",
            "camt.054",
            {("INV-2026-000125", "600.00"), ("INV-2026-000126", "300.00")},
        ),
        (
            "ach.nacha",
            "nacha",
            {
                ("INV-2026-000123", "1250.00"),
                ("INV-2026-000124", "600.00"),
                ("INV-2026-000126", "300.00"),
            },
        ),
        (
            "lockbox.csv",
            "lockbox",
            {
                ("INV-2026-000123", "1250.00"),
                ("INV-2026-000125", "600.00"),
                ("INV-2026-000124", "640.00"),
            },
        ),
    ],
)
async def test_each_format_becomes_payments_applied_to_their_invoices(
    api: httpx.AsyncClient,
    auth: AuthHeaders,
    open_invoices: dict[str, Any],
    name: str,
    file_format: str,
    applied: set[tuple[str, str]],
) -> None:
    response = await _upload(api, auth, name)

    assert response.status_code == 201, response.text
    imported = response.json()
    assert (imported["format"], imported["errors"], imported["duplicates"]) == (file_format, [], [])
    assert _applied(await _payments(api, auth, imported["payments"])) == applied


async def test_nacha_ctx_takes_the_discount_its_remittance_names(
    api: httpx.AsyncClient,
    auth: AuthHeaders,
    bus: InProcessBus,
    other_customer: CustomerSnapshot,
    acme: CustomerSnapshot,
) -> None:
    # INV-2026-000124 is 612.00 with a 12.00 early-payment discount until mid-November.
    discounted = invoice(
        other_customer,
        "INV-2026-000124",
        "612.00",
        discount_amount="12.00",
        discount_due_date="2026-11-12",
    )
    await deliver_invoicing(bus, discounted, invoice(other_customer, "INV-2026-000126", "300.00"))

    imported = (await _upload(api, auth, "ach.nacha")).json()

    [ctx] = [p for p in await _payments(api, auth, imported["payments"]) if p["amount"] == "900.00"]
    applied = {
        (a["invoice_number"], Decimal(a["amount"]), Decimal(a["discount"]))
        for a in ctx["applications"]
    }
    assert applied == {
        ("INV-2026-000124", Decimal("600.00"), Decimal("12.00")),
        ("INV-2026-000126", Decimal("300.00"), Decimal(0)),
    }


async def test_same_file_twice_is_refused_naming_the_earlier_import(
    api: httpx.AsyncClient, auth: AuthHeaders, open_invoices: dict[str, Any]
) -> None:
    first = (await _upload(api, auth, "statement.bai2")).json()

    again = await _upload(api, auth, "statement.bai2")

    assert again.status_code == 409
    assert again.json()["earlier_import"] == first["id"]
    listed = (await api.get("/v1/payments", headers=auth(Role.AUDITOR))).json()["items"]
    assert len(listed) == 2


async def test_transaction_imported_before_is_not_recorded_again(
    api: httpx.AsyncClient, auth: AuthHeaders, open_invoices: dict[str, Any]
) -> None:
    first = (await _upload(api, auth, "statement.bai2")).json()
    # The bank resends the same transactions in a new file (another file id and header time;
    # a new header time alone is the same file, see test_bank_file_duplicates.py).
    resent = (FILES / "statement.bai2").read_bytes().replace(b"261105,0700,1,", b"261105,0900,2,")

    response = await _upload(api, auth, "statement-resent.bai2", resent)

    assert response.status_code == 201, response.text
    duplicates = response.json()["duplicates"]
    assert [(d["line"], d["earlier_bank_file_id"]) for d in duplicates] == [
        (4, first["id"]),
        (5, first["id"]),
    ]
    assert response.json()["payments"] == []


async def test_bad_line_is_reported_by_number_and_the_good_lines_are_kept(
    api: httpx.AsyncClient, auth: AuthHeaders, open_invoices: dict[str, Any]
) -> None:
    broken = (FILES / "statement.bai2").read_bytes().replace(b"16,195,64000", b"16,195,6X000")

    response = await _upload(api, auth, "broken.bai2", broken)

    assert response.status_code == 201, response.text
    [error] = response.json()["errors"]
    assert error["line"] == 5 and "6X000" in error["message"]
    assert _applied(await _payments(api, auth, response.json()["payments"])) == {
        ("INV-2026-000123", "1250.00")
    }


@pytest.mark.parametrize(
    ("name", "broken", "line"),
    [
        ("lockbox.csv", (b"9004,640.00,2026-11-05", b"9004,640.00,11/05/2026"), 4),
        ("ach.nacha", (b"0000090000EFH-CTX", b"00000900X0EFH-CTX"), 7),
        (
            "statement.camt053.xml",
            (b'<Amt Ccy="USD">640.00</Amt>', b'<Amt Ccy="USD">six forty</Amt>'),
            56,
        ),
    ],
)
async def test_each_reader_reports_a_bad_line_and_keeps_the_rest(
    api: httpx.AsyncClient,
    auth: AuthHeaders,
    open_invoices: dict[str, Any],
    name: str,
    broken: tuple[bytes, bytes],
    line: int,
) -> None:
    content = (FILES / name).read_bytes()
    assert broken[0] in content

    response = await _upload(api, auth, name, content.replace(*broken))

    assert response.status_code == 201, response.text
    assert [e["line"] for e in response.json()["errors"]] == [line]
    assert response.json()["payments"]


async def test_malformed_file_is_refused_and_records_nothing(
    api: httpx.AsyncClient, auth: AuthHeaders, open_invoices: dict[str, Any]
) -> None:
    response = await _upload(api, auth, "statement.camt053.xml", b"<Document><BkToCstmrStmt>")

    assert response.status_code == 422
    assert response.json()["type"] == "urn:ar-platform:problem:malformed-bank-file"
    assert (await api.get("/v1/payments", headers=auth(Role.AUDITOR))).json()["items"] == []
