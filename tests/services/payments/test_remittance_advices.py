"""Issue 15 point 9: remittance advices that arrive apart from the money, by upload or from the
mailbox folder. The lines are read from a text PDF, an XLSX, a CSV or the body; a scanned PDF or
an image is reported as not readable; the email is kept as evidence; cash application uses the
advice for its payment (before or after it arrives), naming it in the explanation; an advice that
matches nothing is on the worklist."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.auth import Role
from shared.bus import InProcessBus
from shared.events.customers import CustomerSnapshot
from tests.conftest import AuthHeaders
from tests.services.payments.advices import (
    XLSX,
    advice_email,
    png,
    scanned_pdf,
    text_pdf,
    upload_advice,
    xlsx,
)
from tests.services.payments.conftest import payment_body, post_payment
from tests.services.payments.events import deliver_invoicing, invoice
from tests.support import eventually

AUDITOR = Role.AUDITOR


@pytest.fixture
async def invoices(bus: InProcessBus, acme: CustomerSnapshot) -> dict[str, Any]:
    issued = {
        number: invoice(acme, number, total)
        for number, total in (
            ("INV-2026-000123", "1250.00"),
            ("INV-2026-000124", "612.00"),
            ("INV-2026-000126", "300.00"),
            # Twins of the amounts, so only the advice can say which invoices are paid.
            ("INV-2026-000223", "1250.00"),
            ("INV-2026-000224", "612.00"),
        )
    }
    await deliver_invoicing(bus, *issued.values())
    return issued


def _lines(advice: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (line["invoice_number"], line["amount_paid"], line["deduction"], line["deduction_reason"])
        for line in advice["lines"]
    ]


def _applied(payment: dict[str, Any]) -> list[tuple[str, str]]:
    return sorted((a["invoice_number"], a["amount"]) for a in payment["applications"])


async def _payment(api: httpx.AsyncClient, auth: AuthHeaders, payment_id: str) -> Any:
    return (await api.get(f"/v1/payments/{payment_id}", headers=auth(AUDITOR))).json()


SPREADSHEET = [
    ["Invoice #", "Invoice Amount", "Amount Paid", "Deduction", "Reason"],
    ["INV-2026-000123", 1250.0, 1250.0, None, None],
    ["INV-2026-000124", 612.0, 600.0, 12.0, "damaged pipe"],
    ["Total", None, 1850.0],
]


async def test_an_advice_before_its_payment_waits_then_applies_its_lines(
    api: httpx.AsyncClient, auth: AuthHeaders, invoices: dict[str, Any], acme: CustomerSnapshot
) -> None:
    content = advice_email(
        "Please see the attached remittance.", ("remittance.xlsx", xlsx(SPREADSHEET), XLSX)
    )

    response = await upload_advice(api, auth, "advice.eml", content)

    assert response.status_code == 201, response.text
    document = response.json()
    [advice] = document["advices"]
    assert advice["status"] == "waiting", advice
    assert (advice["total"], advice["customer_id"], advice["paid_on"]) == (
        "1850.00",
        str(acme.id),
        "2026-11-05",
    )
    assert _lines(advice) == [
        ("INV-2026-000123", "1250.00", None, None),
        ("INV-2026-000124", "600.00", "12.00", "damaged pipe"),
    ]
    assert {p["part"]: (p["readable"], p["lines"]) for p in document["parts"]} == {
        "remittance.xlsx": (True, 2),
        "body": (True, 0),
    }

    payment = await post_payment(
        api,
        auth,
        payment_body(None, "1850.00", method="ach", payer_name="Permian Basin Services LLC"),
    )

    assert _applied(payment) == [("INV-2026-000123", "1250.00"), ("INV-2026-000124", "600.00")]
    assert all(advice["id"] in a["explanation"] for a in payment["applications"])
    short = (
        await api.get(
            f"/v1/invoice-balances/{invoices['INV-2026-000124'].invoice_id}",
            headers=auth(AUDITOR),
        )
    ).json()
    assert (short["balance"], short["short_pay_reason"]) == ("12.00", "damaged pipe")
    used = (await api.get(f"/v1/remittance-advices/{advice['id']}", headers=auth(AUDITOR))).json()
    assert (used["status"], used["payment_id"]) == ("used", payment["id"])


async def test_an_advice_after_its_payment_applies_it_and_supersedes_the_queue(
    api: httpx.AsyncClient, auth: AuthHeaders, invoices: dict[str, Any], acme: CustomerSnapshot
) -> None:
    # 1550.00 fits INV-123 + INV-126 and INV-223 + INV-126 alike: it waits for review.
    payment = await post_payment(api, auth, payment_body(acme.id, "1550.00", method="ach"))
    assert payment["applications"] == []
    queue = await api.get("/v1/applications/suggestions", headers=auth(Role.AR_COORDINATOR))
    [pending] = queue.json()["items"]

    content = advice_email(
        "Remittance attached.",
        (
            "remittance.pdf",
            text_pdf("Remittance advice", "INV-2026-000123    1,250.00", "INV-2026-000126  300.00"),
            ("application", "pdf"),
        ),
    )
    response = await upload_advice(api, auth, "advice.eml", content)

    assert response.status_code == 201, response.text
    [advice] = response.json()["advices"]
    assert (advice["status"], advice["payment_id"]) == ("used", payment["id"])
    again = await _payment(api, auth, payment["id"])
    assert _applied(again) == [("INV-2026-000123", "1250.00"), ("INV-2026-000126", "300.00")]
    superseded = (
        await api.get(
            "/v1/applications/suggestions",
            params={"status": "superseded"},
            headers=auth(Role.AR_COORDINATOR),
        )
    ).json()["items"]
    assert [s["id"] for s in superseded] == [pending["id"]]
    assert advice["id"] in superseded[0]["superseded_reason"]


async def test_lines_in_the_body_and_in_a_csv_are_read(
    api: httpx.AsyncClient, auth: AuthHeaders, invoices: dict[str, Any]
) -> None:
    csv = b"invoice;amount paid;deduction;reason\nINV-2026-000126;300.00;;\n"
    body = (
        "Hello, our check no. 5001 dated 11/05/2026 pays:\n"
        "INV-2026-000123   1,250.00\n"
        "INV-2026-000124   612.00   600.00   short paid 12.00 damaged pipe\n"
        "Total paid: 2,150.00\n"
    )
    content = advice_email(body, ("lines.csv", csv, ("text", "csv")))

    response = await upload_advice(api, auth, "advice.eml", content)

    assert response.status_code == 201, response.text
    [advice] = response.json()["advices"]
    assert _lines(advice) == [
        ("INV-2026-000126", "300.00", None, None),
        ("INV-2026-000123", "1250.00", None, None),
        ("INV-2026-000124", "600.00", "12.00", "damaged pipe"),
    ]
    assert advice["total"] == "2150.00"


async def test_a_scanned_pdf_or_an_image_is_reported_as_not_readable_and_kept_as_evidence(
    api: httpx.AsyncClient, auth: AuthHeaders, invoices: dict[str, Any]
) -> None:
    content = advice_email(
        "Scan attached.",
        ("scan.pdf", scanned_pdf(), ("application", "pdf")),
        ("photo.png", png(), ("image", "png")),
    )

    response = await upload_advice(api, auth, "scan.eml", content)

    assert response.status_code == 201, response.text
    document = response.json()
    parts = {p["part"]: p for p in document["parts"]}
    assert not parts["scan.pdf"]["readable"] and "no text" in parts["scan.pdf"]["message"]
    assert not parts["photo.png"]["readable"] and "not read" in parts["photo.png"]["message"]
    [advice] = document["advices"]
    assert (advice["status"], advice["lines"]) == ("unmatched", [])
    assert "nothing could be read" in advice["status_reason"]
    assert "scan.pdf" in advice["status_reason"]
    worklist = await api.get(
        "/v1/remittance-advices", params={"status": "unmatched"}, headers=auth(AUDITOR)
    )
    assert [a["id"] for a in worklist.json()["items"]] == [advice["id"]]
    evidence = await api.get(
        f"/v1/remittance-advices/documents/{document['id']}/content", headers=auth(AUDITOR)
    )
    assert evidence.status_code == 200
    assert evidence.content == content
    assert evidence.headers["content-type"].startswith("message/rfc822")


async def test_an_advice_from_an_unknown_payer_naming_no_open_invoice_is_on_the_worklist(
    api: httpx.AsyncClient, auth: AuthHeaders, invoices: dict[str, Any]
) -> None:
    content = advice_email("INV-2031-999999   410.00", sender="someone@elsewhere.example")

    [advice] = (await upload_advice(api, auth, "advice.eml", content)).json()["advices"]

    assert advice["status"] == "unmatched"
    assert advice["status_reason"] == "its payer is not recognised and it names no open invoice"


async def test_a_person_uses_a_worklist_advice_for_a_payment(
    api: httpx.AsyncClient, auth: AuthHeaders, invoices: dict[str, Any], acme: CustomerSnapshot
) -> None:
    payment = await post_payment(api, auth, payment_body(None, "300.00", payer_name="Someone"))
    content = advice_email("INV-2026-000126   300.00", sender="someone@elsewhere.example")
    [advice] = (await upload_advice(api, auth, "advice.eml", content)).json()["advices"]
    assert advice["status"] == "waiting"  # it names an open invoice: its payment may come

    used = await api.post(
        f"/v1/remittance-advices/{advice['id']}/use",
        json={"payment_id": payment["id"]},
        headers=auth(Role.AR_COORDINATOR),
    )

    assert used.status_code == 200, used.text
    assert _applied(await _payment(api, auth, payment["id"])) == [("INV-2026-000126", "300.00")]
    twice = await api.post(
        f"/v1/remittance-advices/{advice['id']}/use",
        json={"payment_id": payment["id"]},
        headers=auth(Role.AR_COORDINATOR),
    )
    assert twice.status_code == 409


async def test_the_same_advice_twice_is_a_409_and_garbage_a_422(
    api: httpx.AsyncClient, auth: AuthHeaders, invoices: dict[str, Any]
) -> None:
    content = advice_email("INV-2026-000126   300.00")
    assert (await upload_advice(api, auth, "advice.eml", content)).status_code == 201

    again = await upload_advice(api, auth, "advice.eml", content)
    garbage = await upload_advice(api, auth, "x.eml", b"\x00\xff not an email at all")

    assert again.status_code == 409, again.text
    assert again.json()["type"] == "urn:ar-platform:problem:duplicate-remittance-advice"
    assert garbage.status_code == 422, garbage.text
    assert garbage.json()["type"] == "urn:ar-platform:problem:malformed-remittance"


@pytest.fixture
def mailbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "mailbox"
    folder.mkdir()
    monkeypatch.setenv("AR_PAYMENTS_ADVICE_MAILBOX_DIR", str(folder))
    monkeypatch.setenv("AR_PAYMENTS_ADVICE_MAILBOX_INTERVAL_SECONDS", "0.05")
    return folder


async def test_the_mailbox_sweep_takes_in_each_email_and_moves_it(
    mailbox: Path, api: httpx.AsyncClient, auth: AuthHeaders, invoices: dict[str, Any]
) -> None:
    good = advice_email("INV-2026-000126   300.00")
    (mailbox / "a.eml").write_bytes(good)
    (mailbox / "b.eml").write_bytes(b"not an email")

    async def taken_in() -> list[Any]:
        listed = await api.get("/v1/remittance-advices", headers=auth(AUDITOR))
        return listed.json()["items"]

    [advice] = await eventually(taken_in)
    assert advice["lines"][0]["invoice_number"] == "INV-2026-000126"

    async def moved() -> bool:
        return (mailbox / "processed" / "a.eml").exists() and (
            mailbox / "refused" / "b.eml.reason.txt"
        ).exists()

    assert await eventually(moved)
    assert (mailbox / "processed" / "a.eml").read_bytes() == good
    assert "not an email" in (mailbox / "refused" / "b.eml.reason.txt").read_text()
    assert list(mailbox.glob("*.eml")) == []


async def test_an_advice_no_payment_meets_within_the_window_goes_to_the_worklist(
    mailbox: Path, api: httpx.AsyncClient, auth: AuthHeaders, invoices: dict[str, Any]
) -> None:
    sent = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
    content = advice_email("INV-2026-000126   300.00", sent=sent)
    [advice] = (await upload_advice(api, auth, "advice.eml", content)).json()["advices"]

    async def on_the_worklist() -> Any:
        read = await api.get(f"/v1/remittance-advices/{advice['id']}", headers=auth(AUDITOR))
        return read.json() if read.json()["status"] == "unmatched" else None

    expired = await eventually(on_the_worklist)
    assert expired["status_reason"] == "no payment of 300.00 came within 10 days of 2026-09-01"
