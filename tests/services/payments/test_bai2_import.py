"""Importing bank files through the API: a file is read off the event loop within its bounds, a
file nothing could be read from is a 422 naming what and where, and BAI2 as banks send it is
recorded with its payers recognised."""

import asyncio
import time
from pathlib import Path

import httpx
import pytest

from shared.auth import Role
from shared.bus import InProcessBus
from shared.events.customers import CustomerSnapshot
from tests.conftest import AuthHeaders
from tests.services.payments.events import deliver_invoicing, invoice
from tests.services.payments.uploads import upload_bank_file

FIXTURES = Path(__file__).parent / "fixtures"
FILES = Path(__file__).parent / "files"


def bai2_file(details: int, amount: int = 1000) -> bytes:
    """A BAI2 file with one account of `details` ACH credits, its trailers adding up."""
    body = ["03,4400123456,USD,010,0,,/"] + [
        f"16,142,{amount},Z,BR{n:08d},,ORIG CO NAME:PAYER {n} INV-{n}/" for n in range(details)
    ]
    total = amount * details
    lines = [
        "01,122000661,ARPLATFORM,261105,0700,1,,,2/",
        "02,ARPLATFORM,122000661,1,261104,2400,USD,2/",
        *body,
        f"49,{total},{len(body) + 1}/",
        f"98,{total},1,{len(body) + 3}/",
        f"99,{total},1,{len(body) + 5}/",
    ]
    return "\n".join(lines).encode()


async def _nothing_recorded(api: httpx.AsyncClient, auth: AuthHeaders) -> bool:
    return (await api.get("/v1/payments", headers=auth(Role.AUDITOR))).json()["items"] == []


async def test_a_truncated_bai2_file_is_a_422_naming_where_it_stops(
    api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    lines = (FILES / "statement.bai2").read_bytes().splitlines()
    truncated = b"\n".join(lines[:6])  # no 49, 98 or 99: the bai2 library looped on this

    response = await asyncio.wait_for(
        upload_bank_file(api, auth, "cut.bai2", truncated), timeout=30
    )

    assert response.status_code == 422, response.text
    assert response.json()["type"] == "urn:ar-platform:problem:malformed-bank-file"
    assert "account opened on line 3: no 49 account trailer" in response.json()["detail"]
    assert await _nothing_recorded(api, auth)


async def test_the_event_loop_keeps_answering_while_a_file_is_read(
    api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    longest = 0.0
    reading = True

    async def ticker() -> None:
        nonlocal longest
        while reading:
            before = time.monotonic()
            await asyncio.sleep(0.005)
            longest = max(longest, time.monotonic() - before)

    ticks = asyncio.create_task(ticker())
    await upload_bank_file(api, auth, "warm-up.bai2", bai2_file(1))
    longest = 0.0
    # Seconds of reading (on the loop they would stall it for as long); the file trailer's total
    # is one off, so it is refused at the end and nothing else (recording, answering) is timed.
    big = bai2_file(15_000).replace(b"99,15000000,", b"99,15000001,")
    started = time.monotonic()
    response = await upload_bank_file(api, auth, "big.bai2", big)
    took = time.monotonic() - started
    reading = False
    await ticks

    assert longest < min(0.5, took / 3), f"the loop stalled {longest:.2f} s of {took:.2f} s"
    assert response.status_code == 422, response.text
    assert "line 15006: file trailer control total 15000001" in response.json()["detail"]


@pytest.fixture
def one_millisecond_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AR_PAYMENTS_BANK_FILE_READ_SECONDS", "0.001")


async def test_a_file_not_read_within_the_time_bound_is_refused(
    one_millisecond_reads: None, api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    response = await upload_bank_file(api, auth, "big.bai2", bai2_file(20_000))

    assert response.status_code == 422, response.text
    assert response.json()["type"] == "urn:ar-platform:problem:bank-file-too-costly"
    assert "not read within 0.001 s" in response.json()["detail"]
    assert await _nothing_recorded(api, auth)


async def test_a_file_nothing_could_be_read_from_is_a_422_listing_each_refused_entry(
    api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    content = (FILES / "statement.bai2").read_bytes()
    broken = content.replace(b"16,165,125000", b"16,165,12S000").replace(
        b"16,195,64000", b"16,195,64O00"
    )

    response = await upload_bank_file(api, auth, "broken.bai2", broken)

    assert response.status_code == 422, response.text
    body = response.json()
    assert body["detail"].startswith("nothing in the file could be read: 2 entries refused")
    assert "line 4" in body["detail"] and "'12S000'" in body["detail"]
    assert [e["line"] for e in body["refused"]] == [4, 5]
    assert await _nothing_recorded(api, auth)


async def test_a_nacha_remittance_amount_that_is_not_a_number_is_not_a_500(
    api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    content = (FILES / "ach.nacha").read_bytes()
    tampered = content.replace(
        b"RMR*IV*INV-2026-000123**1250.00", b"RMR*IV*INV-2026-000123**abcdefg"
    )
    assert tampered != content

    response = await upload_bank_file(api, auth, "ctx.nacha", tampered)

    assert response.status_code in {201, 422}, response.text
    if response.status_code == 201:
        # The refused entry is named by its 6 record's line; the message quotes the addenda.
        assert [e["line"] for e in response.json()["errors"]] == [3]
    else:
        assert response.json()["type"] == "urn:ar-platform:problem:malformed-bank-file"


@pytest.fixture
async def open_invoices(
    bus: InProcessBus, acme: CustomerSnapshot, other_customer: CustomerSnapshot
) -> None:
    await deliver_invoicing(
        bus,
        invoice(acme, "INV-2026-000123", "1250.00"),
        invoice(other_customer, "INV-2026-000124", "640.00"),
        invoice(acme, "INV-2026-000125", "600.00"),
    )


async def test_everyday_bai2_is_recorded_with_its_payers_and_bank_credits_reported(
    api: httpx.AsyncClient,
    auth: AuthHeaders,
    open_invoices: None,
    acme: CustomerSnapshot,
    other_customer: CustomerSnapshot,
) -> None:
    response = await upload_bank_file(
        api, auth, "everyday.bai2", (FIXTURES / "everyday.bai2").read_bytes()
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert [(e["line"], e["message"][:8]) for e in body["errors"]] == [
        (11, "type 257"),
        (12, "type 354"),
        (20, "type 275"),
    ]
    payments = [
        (await api.get(f"/v1/payments/{i}", headers=auth(Role.AUDITOR))).json()
        for i in body["payments"]
    ]
    # The fixture's bank references end in A1..A9, in the order of its lines.
    by_line = {
        {"1": 5, "2": 7, "3": 8, "4": 10, "8": 14, "9": 16}[p["bank_reference"][-1]]: p
        for p in payments
    }
    assert sorted(by_line) == [5, 7, 8, 10, 14, 16]
    assert by_line[16]["memo"] == "OBI INV-2026-000125 DBNM:PERMIAN BASIN SERVICES LLC"
    assert by_line[16]["customer_id"] == str(acme.id)
    assert by_line[5]["customer_id"] == str(acme.id)
    assert by_line[7]["customer_id"] == str(other_customer.id)
    assert by_line[5]["method"] == "ach" and by_line[8]["method"] == "wire"
