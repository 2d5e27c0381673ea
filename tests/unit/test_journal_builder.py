"""The one journal builder every service posts with, and the one chart of accounts."""

import uuid
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.journal import ChartOfAccounts, JournalBuilder, UnbalancedEntry

cents = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999999.99"), places=2)


def _builder() -> JournalBuilder:
    return JournalBuilder(
        source="invoice", document_id=uuid.uuid4(), posted_on=date(2026, 11, 30), currency="USD"
    )


def test_an_invoice_entry_carries_its_dimensions_and_rounds_nothing() -> None:
    entry = (
        _builder()
        .debit("1200", Decimal("1.005"), business_district="permian")
        .credit("4100", Decimal("1.005"), service_line="pumping")
        .build()
    )
    assert [(p.account, p.debit, p.credit) for p in entry.postings] == [
        ("1200", Decimal("1.005"), Decimal(0)),
        ("4100", Decimal(0), Decimal("1.005")),
    ]
    assert entry.postings[0].business_district == "permian"


def test_an_unbalanced_entry_is_refused() -> None:
    with pytest.raises(UnbalancedEntry, match="debits 100.00 != credits 99.99"):
        _builder().debit("1200", Decimal("100.00")).credit("4000", Decimal("99.99")).build()


@pytest.mark.parametrize("amount", [Decimal(0), Decimal("-5.00")])
def test_a_zero_or_negative_posting_is_refused(amount: Decimal) -> None:
    with pytest.raises(UnbalancedEntry, match="is not a posting"):
        _builder().debit("1200", amount)


def test_a_signed_part_that_nets_to_zero_posts_nothing() -> None:
    entry = (
        _builder()
        .post("1200", Decimal("50.00"))
        .post("2300", Decimal(0))
        .post("4000", Decimal("-50.00"))
        .build()
    )
    assert [p.account for p in entry.postings] == ["1200", "4000"]


@given(st.lists(st.tuples(st.booleans(), cents), min_size=2, max_size=12))
def test_an_entry_is_built_exactly_when_its_debits_equal_its_credits(
    parts: list[tuple[bool, Decimal]],
) -> None:
    builder = _builder()
    for index, (is_debit, amount) in enumerate(parts):
        (builder.debit if is_debit else builder.credit)(f"4{index:03d}", amount)
    debits = sum((amount for is_debit, amount in parts if is_debit), Decimal(0))
    credits = sum((amount for is_debit, amount in parts if not is_debit), Decimal(0))
    if debits != credits:
        with pytest.raises(UnbalancedEntry):
            builder.build()
        return
    entry = builder.build()
    assert sum(p.debit for p in entry.postings) == sum(p.credit for p in entry.postings) == debits


def test_the_chart_is_configured_once_for_the_platform(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AR_CHART__AR_CONTROL", "1300")
    monkeypatch.setenv("AR_CHART__REVENUE_BY_SERVICE_LINE", '{"pumping": "4100"}')
    chart = ChartOfAccounts()
    assert chart.ar_control == "1300"
    assert (chart.revenue("pumping"), chart.revenue("trucking")) == ("4100", "4000")
