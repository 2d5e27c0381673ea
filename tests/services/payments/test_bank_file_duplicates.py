"""A duplicate is the same money: the same bank account, a real reference, the same amount (and
payer) within a few days. NACHA trace numbers restart in every file and camt `NONREF` is no
reference, so neither makes a payment a duplicate on its own; a file resent with only a new
creation time is the same file."""

from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from shared.auth import Role
from tests.conftest import AuthHeaders
from tests.services.payments.camt_files import Credit, camt053
from tests.services.payments.nacha_files import Batch, Entry, nacha_file
from tests.services.payments.uploads import upload_bank_file

FILES = Path(__file__).parent / "files"
TRACE = "122000660000001"
# Transactions without bank references: only the file's content can tell a resend.
NO_REFERENCES = b"""01,122000661,ARPLATFORM,261105,0700,1,,,2/
02,ARPLATFORM,122000661,1,261104,2400,USD,2/
03,4400123456,USD,010,1500000,,,/
16,165,125000,Z,,,ACH CREDIT PERMIAN BASIN SERVICES INV-2026-000123/
16,195,64000,Z,,,WIRE EAGLE FORD HAULING/
49,1689000,4/
98,1689000,1,6/
99,1689000,1,8/
"""


async def _imported(api: httpx.AsyncClient, auth: AuthHeaders, name: str, content: bytes) -> Any:
    response = await upload_bank_file(api, auth, name, content)
    assert response.status_code == 201, response.text
    return response.json()


async def _count(api: httpx.AsyncClient, auth: AuthHeaders) -> int:
    return len((await api.get("/v1/payments", headers=auth(Role.AUDITOR))).json()["items"])


def _ach(
    amount: str, effective: str = "261105", created: str = "2611050700", **entry: Any
) -> bytes:
    return nacha_file(
        [
            Batch(
                "PERMIAN BASIN SV",
                "1123456789",
                [Entry(Decimal(amount), TRACE, **entry)],
                effective=effective,
            )
        ],
        created=created,
    )


async def test_a_reused_trace_number_is_not_a_duplicate_of_a_payment_of_another_amount(
    api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    await _imported(api, auth, "2025.ach", _ach("1000000.00", "251105", "2511050700"))

    thousand = await _imported(api, auth, "2026.ach", _ach("1000.00"))

    assert thousand["duplicates"] == [] and len(thousand["payments"]) == 1


async def test_the_same_trace_and_amount_a_year_later_is_a_new_payment(
    api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    await _imported(api, auth, "2025.ach", _ach("1000.00", "251105", "2511050700"))

    again = await _imported(api, auth, "2026.ach", _ach("1000.00"))

    assert again["duplicates"] == [] and len(again["payments"]) == 1


async def test_the_same_entry_in_another_file_days_later_is_a_duplicate(
    api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    first = await _imported(api, auth, "a.ach", _ach("1000.00"))
    # Another file (another id, the next day's effective date within the window).
    resent = await _imported(
        api, auth, "b.ach", _ach("1000.00", "261106", "2611060700", name="RESENT")
    )

    assert [(d["line"], d["earlier_payment_id"]) for d in resent["duplicates"]] == [
        (3, first["payments"][0])
    ]
    assert resent["payments"] == []


async def test_the_same_trace_to_another_of_our_accounts_is_another_payment(
    api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    await _imported(api, auth, "a.ach", _ach("1000.00"))

    other = await _imported(
        api, auth, "b.ach", _ach("1000.00", "261106", "2611060700", account="5500998877")
    )

    assert other["duplicates"] == [] and len(other["payments"]) == 1


async def test_two_nonref_payments_of_the_same_amount_are_two_payments(
    api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    twins = [Credit(Decimal("500.00"), "NONREF"), Credit(Decimal("500.00"), "NONREF")]
    statement = await _imported(api, auth, "a.xml", camt053(twins))
    assert len(statement["payments"]) == 2 and statement["duplicates"] == []

    next_day = camt053(
        [Credit(Decimal("500.00"), "NONREF", booked="2026-11-05")],
        statement_id="STMT-4400123456-20261105",
    )
    later = await _imported(api, auth, "b.xml", next_day)

    assert len(later["payments"]) == 1 and later["duplicates"] == []
    assert await _count(api, auth) == 3


async def test_a_bai2_file_resent_with_a_new_creation_time_is_the_same_file(
    api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    first = await _imported(api, auth, "a.bai2", NO_REFERENCES)
    resent = NO_REFERENCES.replace(b"261105,0700", b"261106,0915").replace(b"/\n", b"/\r\n")

    response = await upload_bank_file(api, auth, "b.bai2", resent)

    assert response.status_code == 409, response.text
    assert response.json()["earlier_import"] == first["id"]
    assert "only its creation time differs" in response.json()["detail"]
    assert await _count(api, auth) == 2


async def test_a_camt_statement_resent_with_new_creation_times_is_the_same_file(
    api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    credits = [Credit(Decimal("500.00"), "NONREF"), Credit(Decimal("700.00"), "NONREF")]
    first = await _imported(api, auth, "a.xml", camt053(credits))

    response = await upload_bank_file(
        api, auth, "b.xml", camt053(credits, created="2026-11-06T07:30:00+01:00")
    )

    assert response.status_code == 409, response.text
    assert response.json()["earlier_import"] == first["id"]


async def test_a_file_that_recorded_nothing_does_not_block_sending_it_again(
    api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    # Only bank credits that are not customer receipts (a return item 255): nothing recorded.
    returned_item = NO_REFERENCES.replace(b"16,165,", b"16,255,").replace(b"16,195,", b"16,255,")
    empty = await _imported(api, auth, "a.bai2", returned_item)
    assert empty["payments"] == []

    again = await upload_bank_file(api, auth, "a.bai2", returned_item)

    assert again.status_code == 201, again.text
