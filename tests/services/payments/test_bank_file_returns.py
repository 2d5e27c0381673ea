"""NACHA returns (addenda 99) and reversal batches reverse the payment they take back, found by
the original trace with the amount, a date window and the originator (trace numbers restart in
every file), with the return's reason on the reversal; a return that fits no payment is listed
by its line and reverses nothing."""

from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from shared.auth import Role
from shared.bus import InProcessBus
from shared.events.customers import CustomerSnapshot
from tests.conftest import AuthHeaders
from tests.services.payments.conftest import Published
from tests.services.payments.events import deliver_invoicing, invoice
from tests.services.payments.nacha_files import (
    Batch,
    Entry,
    nacha_file,
    payment_info,
    return_addenda,
)
from tests.services.payments.uploads import upload_bank_file
from tests.support import eventually

HERE = Path(__file__).parent
SAMPLE = (HERE / "files" / "ach.nacha").read_bytes()
RETURNS = (HERE / "fixtures" / "nacha_returns.ach").read_bytes()


async def _payment(api: httpx.AsyncClient, auth: AuthHeaders, payment_id: str) -> Any:
    return (await api.get(f"/v1/payments/{payment_id}", headers=auth(Role.AUDITOR))).json()


async def _reversed(published: Published) -> Any:
    found = published("payment.reversed")
    return found[0] if found else None


async def _imported(api: httpx.AsyncClient, auth: AuthHeaders, name: str, content: bytes) -> Any:
    response = await upload_bank_file(api, auth, name, content)
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_return_reverses_the_payment_it_traces_with_its_reason(
    api: httpx.AsyncClient,
    auth: AuthHeaders,
    bus: InProcessBus,
    acme: CustomerSnapshot,
    published: Published,
) -> None:
    issued = invoice(acme, "INV-2026-000123", "1250.00")
    await deliver_invoicing(bus, issued)
    received = await _imported(api, auth, "ach.nacha", SAMPLE)
    first = received["payments"][0]
    assert (await _payment(api, auth, first))["applications"][0]["amount"] == "1250.00"

    returned = await _imported(api, auth, "returns.ach", RETURNS)

    assert returned["reversals"] == [
        {"line": 3, "payment_id": first, "reason_code": "R01", "reason": "insufficient funds"}
    ]
    payment = await _payment(api, auth, first)
    assert payment["status"] == "reversed"
    assert "R01: insufficient funds" in payment["reversal_reason"]
    assert {a["status"] for a in payment["applications"]} == {"unapplied"}
    balance = await api.get(f"/v1/invoice-balances/{issued.invoice_id}", headers=auth(Role.AUDITOR))
    assert balance.json()["status"] == "open"
    event = await eventually(lambda: _reversed(published))
    assert "NACHA return R01" in event.payload["reason"]
    # The second return names the trace of the EFH payment, but another originator: not it.
    [unmatched] = returned["errors"]
    assert unmatched["line"] == 5
    assert "no payment of 900.00 USD (trace 122000660000002)" in unmatched["message"]
    assert "not reversed" in unmatched["message"]
    assert (await _payment(api, auth, received["payments"][1]))["status"] == "received"


async def test_a_return_takes_back_the_payment_of_its_amount_and_window_not_a_reused_trace(
    api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    trace = "122000660000001"
    last_year = nacha_file(
        [
            Batch(
                "PERMIAN BASIN SV",
                "1123456789",
                [Entry(Decimal("1000000.00"), trace)],
                effective="251105",
            )
        ],
        created="2511050700",
    )
    this_year = nacha_file(
        [Batch("PERMIAN BASIN SV", "1123456789", [Entry(Decimal("1000.00"), trace)])]
    )
    old = (await _imported(api, auth, "2025.ach", last_year))["payments"]
    new = (await _imported(api, auth, "2026.ach", this_year))["payments"]
    returns = nacha_file(
        [
            Batch(
                "PERMIAN BASIN SV",
                "1123456789",
                [
                    Entry(
                        Decimal("1000.00"),
                        "091000010000001",
                        code="21",
                        addenda=[return_addenda("R01", trace)],
                    ),
                    Entry(
                        Decimal("1000000.00"),
                        "091000010000002",
                        code="21",
                        addenda=[return_addenda("R01", trace)],
                    ),
                ],
                description="RETURN",
                effective="261106",
            )
        ]
    )

    returned = await _imported(api, auth, "returns.ach", returns)

    assert [(r["line"], r["payment_id"]) for r in returned["reversals"]] == [(3, new[0])]
    [unmatched] = returned["errors"]
    assert unmatched["line"] == 5 and "no payment of 1000000.00 USD" in unmatched["message"]
    assert (await _payment(api, auth, old[0]))["status"] == "received"


async def test_a_reversal_batch_reverses_the_entry_it_repeats_as_a_debit(
    api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    sent = nacha_file(
        [
            Batch(
                "EAGLE FORD HAUL",
                "1987654321",
                [
                    Entry(
                        Decimal("500.00"),
                        "122000660000011",
                        individual_id="EFH-0042",
                        addenda=[payment_info("sent twice by mistake")],
                    ),
                    Entry(Decimal("500.00"), "122000660000012", individual_id="EFH-0043"),
                ],
            )
        ]
    )
    payments = (await _imported(api, auth, "sent.ach", sent))["payments"]
    reversal = nacha_file(
        [
            Batch(
                "EAGLE FORD HAUL",
                "1987654321",
                [Entry(Decimal("500.00"), "122000660000021", individual_id="EFH-0042", code="27")],
                description="REVERSAL",
                effective="261106",
            )
        ]
    )

    reversed_ = await _imported(api, auth, "reversal.ach", reversal)

    assert reversed_["reversals"] == [
        {
            "line": 3,
            "payment_id": payments[0],
            "reason_code": "REVERSAL",
            "reason": "reversal of an erroneous entry",
        }
    ]
    assert (await _payment(api, auth, payments[0]))["status"] == "reversed"
    assert (await _payment(api, auth, payments[1]))["status"] == "received"


async def test_a_return_file_that_reversed_nothing_can_be_imported_again_once_the_payment_is_in(
    api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    early = await _imported(api, auth, "returns.ach", RETURNS)
    assert early["reversals"] == [] and [e["line"] for e in early["errors"]] == [3, 5]
    payments = (await _imported(api, auth, "ach.nacha", SAMPLE))["payments"]

    again = await _imported(api, auth, "returns.ach", RETURNS)

    assert [(r["line"], r["payment_id"]) for r in again["reversals"]] == [(3, payments[0])]
