"""Every payments document posts a balanced entry, and a reversal mirrors what it undoes."""

import uuid
from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from services.payments.domain import posting
from shared.journal import ChartOfAccounts

GL = ChartOfAccounts()
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999999.99"), places=2)
ON = date(2026, 11, 5)


def _totals(entry: object) -> tuple[Decimal, Decimal]:
    postings = entry.postings  # type: ignore[attr-defined]
    return sum(p.debit for p in postings), sum(p.credit for p in postings)


@given(source=st.sampled_from(sorted(posting.SIMPLE_POSTINGS)), amount=amounts)
def test_payment_deposit_refund_and_write_off_entries_balance(source: str, amount: Decimal) -> None:
    entry = posting.posted(GL, source, uuid.uuid4(), ON, "USD", amount)
    assert _totals(entry) == (amount, amount)


@given(amount=amounts, discount=st.one_of(st.just(Decimal(0)), amounts), from_deposit=st.booleans())
def test_application_entry_balances_and_credits_ar_with_cash_and_discount(
    amount: Decimal, discount: Decimal, from_deposit: bool
) -> None:
    entry = posting.applied(
        GL, uuid.uuid4(), ON, "USD", amount, discount, from_deposit=from_deposit
    )
    assert _totals(entry) == (amount + discount, amount + discount)
    ar = [p for p in entry.postings if p.account == GL.ar_control]
    assert [p.credit for p in ar] == [amount + discount]


@given(amount=amounts, discount=amounts)
def test_reversed_entry_mirrors_every_posting(amount: Decimal, discount: Decimal) -> None:
    original = posting.applied(GL, uuid.uuid4(), ON, "USD", amount, discount, from_deposit=False)
    mirror = posting.reversed_entry(
        original, source="unapplication", posted_on=ON, memo="wrong invoice"
    )
    assert [(p.account, p.debit, p.credit) for p in mirror.postings] == [
        (p.account, p.credit, p.debit) for p in original.postings
    ]
