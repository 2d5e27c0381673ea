"""Which of the company's bank accounts received the money (BAI2 03, camt Stmt/Acct, the NACHA
entry's account) is kept on each payment, and its receipt posts to that account's cash account
(`AR_CHART__CASH_BY_BANK_ACCOUNT`; the others to the one cash account)."""

from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.auth import Role
from tests.conftest import AuthHeaders
from tests.services.payments.conftest import Published
from tests.services.payments.uploads import upload_bank_file
from tests.support import eventually

FILES = Path(__file__).parent / "files"


@pytest.fixture
def operating_account_cash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AR_CHART__CASH_BY_BANK_ACCOUNT", '{"4400123456": "1015"}')


async def _received(published: Published, count: int) -> Any:
    found = published("payment.received")
    return found if len(found) >= count else None


@pytest.mark.parametrize(
    ("name", "count"), [("statement.bai2", 2), ("statement.camt053.xml", 2), ("ach.nacha", 2)]
)
async def test_each_payment_keeps_the_bank_account_and_posts_to_its_cash_account(
    operating_account_cash: None,
    api: httpx.AsyncClient,
    auth: AuthHeaders,
    published: Published,
    name: str,
    count: int,
) -> None:
    response = await upload_bank_file(api, auth, name, (FILES / name).read_bytes())

    assert response.status_code == 201, response.text
    for payment_id in response.json()["payments"]:
        payment = await api.get(f"/v1/payments/{payment_id}", headers=auth(Role.AUDITOR))
        assert payment.json()["bank_account"] == "4400123456"
    for event in (await eventually(lambda: _received(published, count)))[:count]:
        [cash] = [p for p in event.payload["journal"]["postings"] if p["debit"] != "0"]
        assert (cash["account"], cash["memo"]) == ("1015", "bank account 4400123456")


async def test_a_typed_payment_without_a_bank_account_posts_to_the_one_cash_account(
    operating_account_cash: None, api: httpx.AsyncClient, auth: AuthHeaders, published: Published
) -> None:
    body = {"method": "check", "amount": "10.00", "currency": "USD", "received_on": "2026-11-05"}
    response = await api.post("/v1/payments", json=body, headers=auth(Role.AR_COORDINATOR))
    assert response.status_code == 201, response.text

    [event] = await eventually(lambda: _received(published, 1))
    assert {p["account"] for p in event.payload["journal"]["postings"]} == {"1010", "2110"}
