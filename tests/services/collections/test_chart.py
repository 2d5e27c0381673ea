"""The ledger ties out to the platform chart's AR control account, wherever it is configured."""

from datetime import date
from decimal import Decimal

import httpx
import pytest

from services.collections.settings import CollectionsSettings
from shared.auth import Role
from shared.bus import InProcessBus
from tests.conftest import AuthHeaders
from tests.services.collections.books import Books, publish


@pytest.fixture
def ar_control_1300(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AR_CHART__AR_CONTROL", "1300")


def test_the_ar_control_account_comes_from_the_platform_chart(ar_control_1300: None) -> None:
    assert CollectionsSettings().chart.ar_control == "1300"


async def test_the_tie_out_reads_the_configured_ar_control_account(
    ar_control_1300: None, api: httpx.AsyncClient, auth: AuthHeaders, ledger_bus: InProcessBus
) -> None:
    books = Books()
    # The books post the invoice's debit to 1200; with 1300 configured nothing ties to it.
    await publish(ledger_bus, books.invoice("1000", date(2026, 9, 1)))
    tie = (
        await api.get(
            "/v1/ledger/tie-out", params={"as_of": "2026-09-30"}, headers=auth(Role.AUDITOR)
        )
    ).json()
    assert [(t["currency"], Decimal(t["journal"]), Decimal(t["difference"])) for t in tie] == [
        ("USD", Decimal(0), Decimal(1000))
    ]
