"""NACHA files through the API: credits of every class become payments matched on the
remittance or the individual id, a bad CTX amount is an entry error, an unreadable file a 422."""

from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from shared.auth import Role
from shared.bus import InProcessBus
from shared.events.customers import CustomerSnapshot
from tests.conftest import AuthHeaders
from tests.services.payments.events import deliver_invoicing, invoice
from tests.services.payments.nacha_files import Batch, Entry, nacha_file
from tests.services.payments.uploads import upload_bank_file

HERE = Path(__file__).parent
SAMPLE = (HERE / "files" / "ach.nacha").read_bytes()
# The Latin-1 name is test_a_latin1_file_is_read_to_the_bytes' own.
EVERY_CLASS = (
    (HERE / "fixtures" / "nacha_every_class.ach")
    .read_bytes()
    .replace(b"M\xdcLLER BAU GMBH ", b"MUELLER BAU GMBH")
)


async def _applied(api: httpx.AsyncClient, auth: AuthHeaders, ids: list[str]) -> set[Any]:
    applied = set()
    for payment_id in ids:
        payment = (await api.get(f"/v1/payments/{payment_id}", headers=auth(Role.AUDITOR))).json()
        applied |= {(a["invoice_number"], a["amount"]) for a in payment["applications"]}
    return applied


async def test_credits_of_every_class_are_applied_by_their_references(
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
    )

    response = await upload_bank_file(api, auth, "ach.txt", EVERY_CLASS)

    assert response.status_code == 201, response.text
    imported = response.json()
    assert [e["line"] for e in imported["errors"]] == [9, 14, 28, 31]
    assert len(imported["payments"]) == 4
    assert await _applied(api, auth, imported["payments"]) == {
        ("INV-2026-000125", "600.00"),  # the WEB entry's individual id
        ("INV-2026-000123", "1250.00"),  # the CIE payment's addenda
        ("INV-2026-000126", "300.00"),  # the IAT remittance
    }


async def test_a_non_numeric_ctx_amount_is_an_entry_error_not_a_server_error(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot
) -> None:
    broken = SAMPLE.replace(b"*PI*600.00*612.00*12.00~", b"*PI*abc*612.00*12.00   ~")

    response = await upload_bank_file(api, auth, "ach.txt", broken)

    assert response.status_code == 201, response.text
    [error] = response.json()["errors"]
    assert error["line"] == 7 and "'abc'" in error["message"]
    assert len(response.json()["payments"]) == 1


async def test_a_file_whose_every_entry_is_bad_is_refused(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot
) -> None:
    broken = SAMPLE.replace(b"0000125000PBS", b"00001X5000PBS").replace(
        b"0000090000EFH", b"00000900X0EFH"
    )

    response = await upload_bank_file(api, auth, "ach.txt", broken)

    assert response.status_code == 422, response.text
    assert [line["line"] for line in response.json()["lines"]] == [3, 7]
    assert (await api.get("/v1/payments", headers=auth(Role.AUDITOR))).json()["items"] == []


async def test_a_latin1_file_is_read_to_the_bytes(
    api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    latin1 = (HERE / "fixtures" / "nacha_every_class.ach").read_bytes()
    assert b"M\xdcLLER" in latin1

    response = await upload_bank_file(api, auth, "ach.txt", latin1)

    assert response.status_code == 201, response.text
    names = set()
    for payment_id in response.json()["payments"]:
        payment = await api.get(f"/v1/payments/{payment_id}", headers=auth(Role.AUDITOR))
        names.add(payment.json()["payer_name"])
    assert "MÜLLER BAU GMBH" in names


async def test_an_entry_dated_years_ahead_is_listed_and_the_others_recorded(
    api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    ahead = nacha_file(
        [
            Batch("PERMIAN BASIN SV", "1123456789", [Entry(Decimal("10.00"), "1")]),
            Batch(
                "PERMIAN BASIN SV", "1123456789", [Entry(Decimal("20.00"), "2")], effective="301105"
            ),
        ]
    )

    response = await upload_bank_file(api, auth, "ahead.ach", ahead)

    assert response.status_code == 201, response.text
    assert len(response.json()["payments"]) == 1
    [error] = response.json()["errors"]
    assert error["line"] == 6 and "the received date 2030-11-05 is after" in error["message"]
