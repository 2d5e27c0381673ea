"""A camt.053 through the API: every transaction of a batch is a payment, and the references a
bank passes on (creditor reference, end-to-end id, wrapped text) decide which invoice it pays."""

from pathlib import Path
from typing import Any

import httpx

from shared.auth import Role
from shared.bus import InProcessBus
from shared.events.customers import CustomerSnapshot
from tests.conftest import AuthHeaders
from tests.services.payments.events import deliver_invoicing, invoice
from tests.services.payments.uploads import upload_bank_file

FIXTURES = Path(__file__).parent / "fixtures"


async def test_each_transaction_is_applied_to_the_invoice_its_references_name(
    api: httpx.AsyncClient,
    auth: AuthHeaders,
    bus: InProcessBus,
    acme: CustomerSnapshot,
    other_customer: CustomerSnapshot,
) -> None:
    # Twins of the same amounts, so that only the references can tell the invoices apart.
    await deliver_invoicing(
        bus,
        invoice(acme, "INV-2026-000123", "1250.00"),
        invoice(acme, "INV-2026-000128", "1250.00"),
        invoice(acme, "INV-2026-000125", "600.00"),
        invoice(acme, "INV-2026-000127", "600.00"),
        invoice(other_customer, "INV-2026-000126", "300.00"),
        invoice(other_customer, "INV-2026-000129", "300.00"),
        invoice(other_customer, "INV-2026-000124", "640.00"),
    )

    response = await upload_bank_file(
        api, auth, "statement.xml", (FIXTURES / "camt_053_001_02_batch.xml").read_bytes()
    )

    assert response.status_code == 201, response.text
    imported = response.json()
    assert (imported["errors"], imported["duplicates"], len(imported["payments"])) == ([], [], 4)
    applied: set[tuple[str, str]] = set()
    for payment_id in imported["payments"]:
        payment: dict[str, Any] = (
            await api.get(f"/v1/payments/{payment_id}", headers=auth(Role.AUDITOR))
        ).json()
        applied |= {(a["invoice_number"], a["amount"]) for a in payment["applications"]}
    assert applied == {
        ("INV-2026-000123", "1250.00"),
        ("INV-2026-000125", "600.00"),
        ("INV-2026-000126", "300.00"),
        ("INV-2026-000124", "640.00"),
    }


async def test_a_statement_whose_only_amount_is_not_a_number_is_refused(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot
) -> None:
    content = (FIXTURES / "camt_053_001_02_batch.xml").read_bytes()
    start, end = content.index(b"<Ntry>"), content.rindex(b"</Ntry>") + len(b"</Ntry>")
    only = (
        b"<Ntry><Amt Ccy='USD'>abc</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>"
        b"<BookgDt><Dt>2026-11-04</Dt></BookgDt><AcctSvcrRef>X-1</AcctSvcrRef></Ntry>"
    )

    response = await upload_bank_file(
        api, auth, "statement.xml", content[:start] + only + content[end:]
    )

    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["type"] == "urn:ar-platform:problem:malformed-bank-file"
    assert [line["message"] for line in problem["lines"]] == [
        "entry 1: amount 'abc' is not a number"
    ]
    assert (await api.get("/v1/payments", headers=auth(Role.AUDITOR))).json()["items"] == []
