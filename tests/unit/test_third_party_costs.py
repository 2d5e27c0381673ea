"""Third-party cost rules: coding validation, duplicates, markup, the bill's entry, the cost
adjustment arithmetic and coding suggestions."""

import uuid
from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from services.invoicing.domain.coding import Coding, CodingHistory
from services.invoicing.domain.costs import (
    AdjustmentKind,
    LineCoding,
    PostingLine,
    bill_entry,
    coding_errors,
    cost_adjustment,
    near_duplicate,
    pass_through_price,
)
from shared.journal import ChartOfAccounts

CHART = ChartOfAccounts(inactive_cost_accounts=["5500"])


def coded(amount: str, account: str | None = "5200", **changes: object) -> LineCoding:
    values: dict[str, object] = {
        "amount": Decimal(amount),
        "account": account,
        "cost_category": "trucking",
        "has_job": True,
        "job_known": True,
        "billable": False,
        "billable_job": False,
    } | changes
    return LineCoding(**values)  # type: ignore[arg-type]


def test_coding_names_each_bad_line_and_a_total_that_does_not_tie() -> None:
    lines = [
        coded("10.00"),
        coded("20.00", "5500"),
        coded("30.00", "1200"),
        coded("5.00", job_known=False),
        coded("1.00", billable=True),
        coded("-1.00", billable=True, billable_job=True),
    ]
    errors = coding_errors(
        lines, Decimal("70.00"), CHART, names=[f"row {n}" for n in range(2, 8)], bill_name="bill"
    )
    assert [(e.field, e.code) for e in errors] == [
        ("row 3.account", "inactive_account"),
        ("row 4.account", "unknown_account"),
        ("row 5.job", "unknown_job"),
        ("row 6.billable", "billable_needs_ticket"),
        ("row 7.billable", "billable_not_a_cost"),
        ("bill", "does_not_tie"),
    ]
    assert coding_errors([coded("66.00")], Decimal("66.00"), CHART, names=["lines[1]"]) == []


def test_a_near_duplicate_is_another_number_within_the_window() -> None:
    on = date(2026, 11, 5)
    assert near_duplicate(on, date(2026, 11, 9), window_days=5, number="A", other_number="B")
    assert not near_duplicate(on, date(2026, 11, 11), window_days=5, number="A", other_number="B")
    assert not near_duplicate(on, on, window_days=5, number="A", other_number="A")


def test_markup_rounds_half_up_once_and_adds_the_fee() -> None:
    assert pass_through_price(Decimal("33.33"), Decimal("0.15"), Decimal(0), "USD") == Decimal(
        "38.33"
    )  # 38.3295
    assert pass_through_price(Decimal("10.10"), Decimal("0.05"), Decimal("2.50"), "USD") == Decimal(
        "13.11"
    )  # 10.605 -> 10.61
    assert pass_through_price(Decimal(0), Decimal("0.15"), Decimal("2.50"), "USD") == Decimal(
        "0.00"
    )


def test_a_bills_entry_debits_cost_credits_payable_and_a_reversal_turns_it_round() -> None:
    lines = [
        PostingLine(Decimal("400.00"), "5200", "permian", "haul"),
        PostingLine(Decimal("250.00"), "5300", "permian", "dump"),
        PostingLine(Decimal("-50.00"), "5200", "permian", "discount"),
    ]
    entry = bill_entry(
        bill_id=uuid.uuid4(),
        number="BH-1",
        posted_on=date(2026, 11, 5),
        currency="USD",
        lines=lines,
        chart=CHART,
    )
    assert {(p.account, p.debit, p.credit) for p in entry.postings} == {
        ("5200", Decimal("350.00"), Decimal(0)),
        ("5300", Decimal("250.00"), Decimal(0)),
        ("2010", Decimal(0), Decimal("600.00")),
    }
    reversed_entry = bill_entry(
        bill_id=uuid.uuid4(),
        number="BH-1-REV",
        posted_on=date(2026, 11, 6),
        currency="USD",
        lines=[PostingLine(-line.amount, line.account, None, "") for line in lines],
        chart=CHART,
    )
    assert {(p.account, p.debit, p.credit) for p in reversed_entry.postings} == {
        ("5200", Decimal(0), Decimal("350.00")),
        ("5300", Decimal(0), Decimal("250.00")),
        ("2010", Decimal("600.00"), Decimal(0)),
    }


cents = st.decimals(min_value=0, max_value=10**7, places=2)
rates = st.decimals(min_value=0, max_value=2, places=4)


@given(cost=cents, markup=rates, fee=cents, billed=cents)
def test_a_cost_adjustment_brings_what_is_billed_exactly_to_the_price(
    cost: Decimal, markup: Decimal, fee: Decimal, billed: Decimal
) -> None:
    price = pass_through_price(cost, markup, fee, "USD")
    adjustment = cost_adjustment(cost=cost, markup=markup, fee=fee, billed=billed, currency="USD")
    if adjustment is None:
        assert billed == price
        return
    assert adjustment.amount > 0
    after = (
        billed + adjustment.amount
        if adjustment.kind == AdjustmentKind.SUPPLEMENTARY_INVOICE
        else billed - adjustment.amount
    )
    assert after == price == adjustment.target
    assert after >= 0
    # Within half a cent of the exact markup, the fee on top.
    if cost > 0:
        assert abs(price - fee - cost * (1 + markup)) <= Decimal("0.005")
    assert str(price) in adjustment.arithmetic


def test_a_suggestion_codes_from_the_vendors_history_and_says_why() -> None:
    history = CodingHistory()
    vendor = "basin"
    for _ in range(4):
        history.learn(vendor, "Vac truck haul", Coding("5200", "trucking"))
        history.learn(vendor, "Disposal fee SWD", Coding("5300", "disposal"))
    sure = history.suggest(vendor, "Vac truck haul T-1042", known_ticket=lambda n: n == "T-1042")
    assert (sure.account, sure.cost_category, sure.ticket_number) == ("5200", "trucking", "T-1042")
    assert sure.confidence >= 0.9 and "names ticket T-1042" in sure.explanation
    typo = history.suggest(vendor, "Dispsoal fee")
    assert typo.account == "5300"
    # The words say disposal, the history trucking: a person looks.
    mixed = CodingHistory()
    mixed.learn(vendor, "Haul load", Coding("5200", "trucking"))
    conflicting = mixed.suggest(vendor, "load to landfill disposal")
    assert conflicting.confidence <= 0.5
    unknown = history.suggest("new vendor", "Crane rental", default_account="5500")
    assert (unknown.account, unknown.cost_category, unknown.confidence) == (
        "5500",
        "equipment",
        0.4,
    )
