"""For any history of documents: the rollforward's opening + movements = closing (the ledger's
AR at the month's end), and the trial balance's debits equal its credits."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from services.collections.domain.gl import RollforwardLine, rollforward, totals, trial_balance
from services.collections.domain.ledger import AR_CONTROL_KINDS, change_for
from services.collections.queries.kpis import Month
from shared.events.catalog import EventPayload
from tests.services.collections.histories import START, histories

months = st.integers(min_value=0, max_value=8).map(lambda n: Month(START.year, START.month + n))


def _ar_entries(events: list[EventPayload]) -> list[tuple[str, bool, Decimal, date]]:
    kinds, entries = {}, []
    for event in events:
        change = change_for(event)
        kinds |= {item.id: item.kind for item in change.items}
        entries += change.entries
    return [
        (e.kind, e.reference is not None, e.amount, e.entry_date)
        for e in entries
        if kinds[e.item_id] in AR_CONTROL_KINDS
    ]


@given(histories(), months)
def test_opening_plus_movements_is_the_closing_ar(events: list[EventPayload], month: Month) -> None:
    entries = _ar_entries(events)
    opening = sum((a for _, _, a, on in entries if on < month.first), Decimal(0))
    movements: dict[tuple[str, bool], Decimal] = defaultdict(Decimal)
    for kind, referenced, amount, on in entries:
        if month.first <= on <= month.last:
            movements[(kind, referenced)] += amount
    result = rollforward("USD", month.first, month.last, opening, movements)
    closing = sum((a for _, _, a, on in entries if on <= month.last), Decimal(0))
    assert result.closing == closing
    assert (
        result.opening
        + result.shown(RollforwardLine.INVOICES)
        + result.shown(RollforwardLine.SUPPLEMENTARY_INVOICES)
        - result.shown(RollforwardLine.CREDIT_MEMOS)
        - result.shown(RollforwardLine.CASH_APPLIED)
        - result.shown(RollforwardLine.WRITE_OFFS)
        + result.shown(RollforwardLine.OTHER)
        == closing
    )
    assert sum(result.other.values(), Decimal(0)) == result.movements[RollforwardLine.OTHER]


@given(histories(), st.integers(min_value=0, max_value=300))
def test_the_trial_balance_debits_equal_its_credits(events: list[EventPayload], days: int) -> None:
    as_of = START + timedelta(days=days)
    debits: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    credits: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for event in events:
        journal = getattr(event, "journal", None)  # a memo's settlement posts nothing
        if journal is None or journal.posted_on > as_of:
            continue
        for posting in journal.postings:
            debits[(journal.currency, posting.account)] += posting.debit
            credits[(journal.currency, posting.account)] += posting.credit
    rows = trial_balance(debits, credits)
    assert all(t.balanced for t in totals(rows))
    assert sum((r.balance for r in rows), Decimal(0)) == 0
