"""Invariants of the ledger rules over random histories: the buckets add up to open AR, open AR
follows its formula, and the AR control items tie to the AR control postings, as of any date."""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from services.collections.domain.aging import Buckets, days_past_due
from services.collections.domain.ledger import AR_CONTROL_KINDS, Column, Entry, NewItem, change_for
from shared.events.catalog import EventPayload
from tests.services.collections.histories import (
    START,
    ar_control_postings,
    histories,
    open_ar_by_formula,
)

as_of_dates = st.integers(min_value=0, max_value=400).map(lambda n: START + timedelta(days=n))


def _ledger(events: list[EventPayload]) -> tuple[dict[object, NewItem], list[Entry]]:
    items: dict[object, NewItem] = {}
    entries: list[Entry] = []
    for event in events:
        change = change_for(event)
        items |= {item.id: item for item in change.items}
        entries += change.entries
    return items, entries


def _balances(entries: list[Entry], as_of: date) -> dict[object, Decimal]:
    balances: dict[object, Decimal] = {}
    for e in entries:
        if e.entry_date <= as_of:
            balances[e.item_id] = balances.get(e.item_id, Decimal(0)) + e.amount
    return balances


@given(histories(), as_of_dates, st.sampled_from([(0, 30, 60, 90, 120), (0, 45), (10, 20, 30)]))
def test_bucket_totals_equal_open_ar_and_open_ar_follows_its_formula(
    events: list[EventPayload], as_of: date, edges: tuple[int, ...]
) -> None:
    items, entries = _ledger(events)
    balances = _balances(entries, as_of)
    invoices = [(items[i], b) for i, b in balances.items() if items[i].column is Column.BUCKETS]
    buckets = Buckets(edges).totals(
        (days_past_due(as_of, item.due_date), b) for item, b in invoices
    )
    open_ar = sum((b for _, b in invoices), Decimal(0))
    assert sum(buckets, Decimal(0)) == open_ar == open_ar_by_formula(events, as_of)


@given(histories(), as_of_dates)
def test_ar_control_items_tie_to_the_ar_control_postings(
    events: list[EventPayload], as_of: date
) -> None:
    items, entries = _ledger(events)
    balances = _balances(entries, as_of)
    ledger = sum((b for i, b in balances.items() if items[i].kind in AR_CONTROL_KINDS), Decimal(0))
    assert ledger == ar_control_postings(events, as_of)


@given(histories())
def test_every_entry_lands_on_an_item_the_history_opened(events: list[EventPayload]) -> None:
    items, entries = _ledger(events)
    assert {e.item_id for e in entries} <= set(items)
