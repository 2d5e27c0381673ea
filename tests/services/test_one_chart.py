"""The platform has one chart of accounts: set an account once (`AR_CHART__*`) and every service
that posts or ties out uses it. Before, invoicing, payments and collections each kept their own
setting, and an AR control moved in one left the others posting to 1200."""

import uuid
from datetime import date
from decimal import Decimal

import pytest

from services.collections.settings import CollectionsSettings
from services.invoicing.domain.journal import document_entry
from services.invoicing.settings import InvoicingSettings
from services.payments.domain.posting import applied, posted
from services.payments.settings import PaymentsSettings
from shared.events.invoicing import InvoiceLineFacts
from shared.events.journal import JournalEntry


@pytest.fixture(autouse=True)
def moved_chart(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AR_CHART__AR_CONTROL", "1300")
    monkeypatch.setenv("AR_CHART__REVENUE_BY_SERVICE_LINE", '{"wireline": "4010"}')


def _accounts(entry: JournalEntry) -> dict[str, tuple[Decimal, Decimal]]:
    return {p.account: (p.debit, p.credit) for p in entry.postings}


def test_every_service_reads_the_same_chart() -> None:
    charts = [InvoicingSettings().chart, PaymentsSettings().chart, CollectionsSettings().chart]
    assert {c.ar_control for c in charts} == {"1300"}
    assert {c.revenue("wireline") for c in charts} == {"4010"}


def test_an_invoice_and_the_cash_that_pays_it_meet_on_the_configured_ar_account() -> None:
    line = InvoiceLineFacts(
        description="Wireline run",
        quantity=Decimal(1),
        unit="ea",
        unit_price=Decimal("500.00"),
        amount=Decimal("500.00"),
        taxability="service",
        service_line="wireline",
    )
    invoice = document_entry(
        source="invoice",
        document_id=uuid.uuid4(),
        document_number="INV-2027-000001",
        posted_on=date(2027, 1, 4),
        currency="USD",
        business_district="permian",
        lines=[line],
        taxes=[],
        chart=InvoicingSettings().chart,
    )
    chart = PaymentsSettings().chart
    on = date(2027, 1, 20)
    application = applied(
        chart, uuid.uuid4(), on, "USD", Decimal("500.00"), Decimal(0), from_deposit=False
    )
    write_off = posted(chart, "write_off", uuid.uuid4(), on, "USD", Decimal("5.00"))

    assert _accounts(invoice) == {
        "1300": (Decimal("500.00"), Decimal(0)),
        "4010": (Decimal(0), Decimal("500.00")),
    }
    assert _accounts(application)["1300"] == (Decimal(0), Decimal("500.00"))
    assert _accounts(write_off)["1300"] == (Decimal(0), Decimal("5.00"))
    assert "1200" not in {*_accounts(invoice), *_accounts(application), *_accounts(write_off)}
