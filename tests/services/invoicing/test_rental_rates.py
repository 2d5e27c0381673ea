"""The rental rate engine, cycles and storage proration: the worked rules of
docs/domain.md#assets-on-rent, and the invariants that must hold for any rate table."""

import time
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.invoicing.domain.rentals.contracts import LineTerms, early_return_credit
from services.invoicing.domain.rentals.cycles import (
    Cycle,
    Proration,
    ProrationChoice,
    Timing,
    bill_cycle,
    charge_to_date,
    check_proration,
    cycle_of,
    due_on,
    window,
)
from services.invoicing.domain.rentals.meters import MeterAllowance, excess_hours
from services.invoicing.domain.rentals.rates import (
    Period,
    RateTable,
    RentalRuleBroken,
    charge,
    credit_on_return,
    days_on_rent,
)
from services.invoicing.domain.rentals.storage import (
    Price,
    StoragePeriod,
    StorageSchedule,
    credit_on_end,
    period_charge,
)

# A pump at $100 a day, $300 a week, $800 for 28 days.
PUMP = RateTable("USD", daily=Decimal(100), weekly=Decimal(300), four_weeks=Decimal(800))


@pytest.mark.parametrize(
    ("days", "amount", "combination"),
    [
        (1, "100.00", ((Period.DAY, 1),)),
        (3, "300.00", ((Period.DAY, 3),)),
        (4, "300.00", ((Period.WEEK, 1),)),
        (9, "500.00", ((Period.WEEK, 1), (Period.DAY, 2))),
        (21, "800.00", ((Period.FOUR_WEEKS, 1),)),
        (30, "1000.00", ((Period.FOUR_WEEKS, 1), (Period.DAY, 2))),
        (33, "1100.00", ((Period.FOUR_WEEKS, 1), (Period.WEEK, 1))),
        (41, "1400.00", ((Period.FOUR_WEEKS, 1), (Period.WEEK, 2))),
    ],
)
def test_a_span_costs_the_cheapest_combination_of_periods(
    days: int, amount: str, combination: tuple[tuple[Period, int], ...]
) -> None:
    found = charge(PUMP, days)
    assert found.amount == Decimal(amount)
    assert found.combination == combination


def test_every_charge_says_how_it_was_made_and_what_it_beat() -> None:
    assert charge(PUMP, 9).explanation == (
        "9 days on rent: 1 week + 2 days at 300.00 + 2 × 100.00 = 500.00;"
        " cheaper than 2 weeks at 600.00, 28 days at 800.00, 9 days at 900.00"
    )
    assert charge(PUMP, 21).explanation == (
        "21 days on rent: 28 days at 800.00 = 800.00;"
        " cheaper than 3 weeks at 900.00, 21 days at 2,100.00"
    )


def test_the_minimum_charge_applies_to_a_short_span() -> None:
    table = RateTable("USD", daily=Decimal(40), minimum=Decimal(150))
    found = charge(table, 2)
    assert found.amount == Decimal("150.00")
    assert found.explanation.endswith("minimum charge 150.00 applies")


def test_a_monthly_rate_caps_a_month_of_days() -> None:
    table = RateTable("USD", daily=Decimal(100), weekly=Decimal(300), monthly=Decimal(1000))
    assert charge(table, 30).amount == Decimal("1000.00")
    assert charge(table, 31).amount == Decimal("1100.00")


def test_a_monthly_rate_on_a_28_day_cycle_is_twelve_thirteenths_of_it() -> None:
    assert RateTable("USD", monthly=Decimal(100)).on_28_day_cycle().four_weeks == Decimal("92.31")


def test_days_on_rent_leave_out_the_day_it_comes_back_but_count_one_at_least() -> None:
    assert days_on_rent(date(2026, 3, 2), date(2026, 4, 12)) == 41
    assert days_on_rent(date(2026, 3, 2), date(2026, 3, 2)) == 1
    with pytest.raises(RentalRuleBroken):
        days_on_rent(date(2026, 3, 2), date(2026, 3, 1))


def test_28_day_cycles_in_arrears_bill_the_charge_to_date_less_billed() -> None:
    on, off = date(2026, 3, 2), date(2026, 4, 12)
    first = bill_cycle(PUMP, Cycle.TWENTY_EIGHT_DAY, on, off, 1, Decimal(0))
    assert first is not None
    assert (first.start, first.end, first.amount) == (on, date(2026, 3, 30), Decimal("800.00"))
    second = bill_cycle(PUMP, Cycle.TWENTY_EIGHT_DAY, on, off, 2, first.amount)
    assert second is not None
    assert second.charge_to_date.amount == Decimal("1400.00")
    assert second.amount == Decimal("600.00")
    assert second.explanation.endswith("less 800.00 billed before = 600.00")
    assert bill_cycle(PUMP, Cycle.TWENTY_EIGHT_DAY, on, off, 3, Decimal(1400)) is None
    assert due_on(Timing.ARREARS, Cycle.TWENTY_EIGHT_DAY, on, off, 2) == off


def test_a_return_inside_a_cycle_billed_in_advance_credits_the_unused_part() -> None:
    on = date(2026, 3, 2)
    advance = bill_cycle(PUMP, Cycle.TWENTY_EIGHT_DAY, on, None, 1, Decimal(0))
    assert advance is not None and advance.amount == Decimal("800.00")
    assert due_on(Timing.ADVANCE, Cycle.TWENTY_EIGHT_DAY, on, None, 1) == on
    nine_days = days_on_rent(on, date(2026, 3, 11))
    assert credit_on_return(PUMP, nine_days, advance.amount) == Decimal("300.00")


@pytest.mark.parametrize(
    ("cycle", "on_rent", "number", "expected"),
    [
        (Cycle.WEEKLY, date(2026, 3, 2), 2, (date(2026, 3, 9), date(2026, 3, 16))),
        (Cycle.ANNIVERSARY, date(2026, 1, 31), 2, (date(2026, 2, 28), date(2026, 3, 31))),
        (Cycle.ANNIVERSARY, date(2027, 12, 15), 2, (date(2028, 1, 15), date(2028, 2, 15))),
        (Cycle.CALENDAR_MONTH, date(2026, 3, 10), 1, (date(2026, 3, 10), date(2026, 4, 1))),
        (Cycle.CALENDAR_MONTH, date(2026, 12, 10), 2, (date(2027, 1, 1), date(2027, 2, 1))),
    ],
)
def test_cycle_windows(
    cycle: Cycle, on_rent: date, number: int, expected: tuple[date, date]
) -> None:
    assert window(cycle, on_rent, number) == expected
    assert cycle_of(cycle, on_rent, expected[0]) == number
    assert cycle_of(cycle, on_rent, expected[1] - timedelta(days=1)) == number


def test_storage_prorates_the_first_and_last_calendar_month() -> None:
    schedule = StorageSchedule(
        "USD",
        StoragePeriod.CALENDAR_MONTH,
        start=date(2026, 3, 10),
        end=date(2026, 5, 21),
        prices=(Price(date(2026, 3, 1), Decimal(450)),),
    )
    amounts = [period_charge(schedule, n).amount for n in (1, 2, 3)]
    assert amounts == [Decimal("319.35"), Decimal("450.00"), Decimal("290.32")]
    assert sum(amounts) == Decimal("1059.67")


def test_storage_pauses_and_price_changes_split_a_period() -> None:
    schedule = StorageSchedule(
        "USD",
        StoragePeriod.TWENTY_EIGHT_DAY,
        start=date(2026, 3, 1),
        prices=(Price(date(2026, 3, 1), Decimal(10)), Price(date(2026, 3, 15), Decimal(20))),
        units=Decimal(3),
        pauses=((date(2026, 3, 8), date(2026, 3, 15)),),
    )
    found = period_charge(schedule, 1)
    # 7 days at 10 and 14 days at 20, for 3 units, over 28 days; the paused week is not billed.
    assert found.days_used == 21
    assert found.amount == Decimal("37.50")


def test_excess_meter_hours_over_what_the_billed_periods_include() -> None:
    allowance = MeterAllowance(
        per_day=Decimal(8), per_week=Decimal(40), per_four_weeks=Decimal(160), rate=Decimal("7.50")
    )
    week = charge(PUMP, 7)
    excess = excess_hours(allowance, week, Decimal(52))
    assert (excess.included, excess.excess_hours, excess.amount) == (
        Decimal(40),
        Decimal(12),
        Decimal("90.00"),
    )
    assert excess_hours(allowance, week, Decimal(39)).amount == Decimal("0.00")


def test_a_rate_table_without_rates_is_refused() -> None:
    with pytest.raises(RentalRuleBroken):
        RateTable("USD")
    with pytest.raises(RentalRuleBroken):
        charge(PUMP, 0)


cents = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(5000), places=2)
tables = st.builds(
    RateTable,
    currency=st.just("USD"),
    daily=cents,
    weekly=st.none() | cents,
    four_weeks=st.none() | cents,
    monthly=st.none() | cents,
    minimum=st.just(Decimal(0)) | cents,
)


@given(tables, st.integers(min_value=1, max_value=400))
def test_a_charge_never_drops_as_days_are_added(table: RateTable, days: int) -> None:
    assert charge(table, days + 1).amount >= charge(table, days).amount


@given(tables, st.integers(min_value=1, max_value=400))
def test_a_charge_never_exceeds_the_all_daily_price(table: RateTable, days: int) -> None:
    assert table.daily is not None
    assert charge(table, days).amount <= max(table.daily * days, table.minimum)


@given(
    tables,
    st.sampled_from(list(Cycle)),
    st.dates(min_value=date(2026, 1, 1), max_value=date(2028, 12, 31)),
    st.integers(min_value=1, max_value=200),
)
def test_billing_in_cycles_sums_to_billing_the_span_once(
    table: RateTable, cycle: Cycle, on_rent: date, days: int
) -> None:
    off_rent = on_rent + timedelta(days=days)
    billed, number = Decimal(0), 1
    while (bill := bill_cycle(table, cycle, on_rent, off_rent, number, billed)) is not None:
        assert bill.amount >= 0
        billed += bill.amount
        number += 1
    once = table.on_28_day_cycle() if cycle == Cycle.TWENTY_EIGHT_DAY else table
    assert billed == charge(once, days).amount


@given(tables, st.integers(min_value=1, max_value=200), st.integers(min_value=1, max_value=200))
def test_an_off_rent_credit_never_exceeds_what_was_billed(
    table: RateTable, billed_days: int, days_out: int
) -> None:
    billed = charge(table, billed_days).amount
    credit = credit_on_return(table, days_out, billed)
    assert Decimal(0) <= credit <= billed


def test_pricing_every_span_of_four_years_takes_linear_time() -> None:
    """A line billed cycle after cycle prices ever longer spans of one rate table; each span
    extends the cheapest covers already found instead of solving again from day one (which
    made pricing four years of spans of 20 tables take half a minute)."""
    tables = [
        RateTable("USD", daily=Decimal(100 + i), weekly=Decimal(300), four_weeks=Decimal(800))
        for i in range(20)
    ]
    started = time.process_time()
    for table in tables:
        for days in range(1, 4 * 365 + 1):
            charge(table, days)
    assert time.process_time() - started < 10
    # Shorter spans after longer ones read the covers already found, and agree with them.
    assert charge(tables[0], 9).amount == Decimal("500.00")


# Proration of a partial first cycle and of the cycle a line comes back inside.
MONTHLY = RateTable("USD", daily=Decimal(60), monthly=Decimal(900), month_days=31)
MID_MARCH = date(2026, 3, 10)  # the first calendar month is 22 of March's 31 days


@pytest.mark.parametrize(
    ("choice", "first", "second"),
    [
        (ProrationChoice.RATE_ENGINE, "900.00", "900.00"),  # 22 days cost the month
        (ProrationChoice.PRORATED, "638.71", "900.00"),  # 900 × 22/31
        (ProrationChoice.FULL_CYCLE, "900.00", "900.00"),  # all of March
    ],
)
def test_a_partial_first_calendar_month_follows_the_contracts_choice(
    choice: ProrationChoice, first: str, second: str
) -> None:
    proration = Proration(start=choice)
    one = bill_cycle(MONTHLY, Cycle.CALENDAR_MONTH, MID_MARCH, None, 1, Decimal(0), proration)
    assert one is not None and one.amount == Decimal(first)
    two = bill_cycle(MONTHLY, Cycle.CALENDAR_MONTH, MID_MARCH, None, 2, one.amount, proration)
    assert two is not None and two.amount == Decimal(second)


@pytest.mark.parametrize(
    ("choice", "second", "credit"),
    [
        # On rent 2 March, 28-day cycles, back on 12 April (13 days into cycle 2; 41 in all).
        (ProrationChoice.RATE_ENGINE, "600.00", "300.00"),  # 1,400 − 800; 9 days cost 500
        (ProrationChoice.PRORATED, "371.43", "542.86"),  # 800 × 13/28; 800 × 9/28 = 257.14
        (ProrationChoice.FULL_CYCLE, "800.00", "0.00"),  # cycle 2 in full; nothing back
    ],
)
def test_the_cycle_a_line_comes_back_inside_follows_the_contracts_choice(
    choice: ProrationChoice, second: str, credit: str
) -> None:
    on, proration = date(2026, 3, 2), Proration(end=choice)
    back = date(2026, 4, 12)
    first = bill_cycle(PUMP, Cycle.TWENTY_EIGHT_DAY, on, back, 1, Decimal(0), proration)
    assert first is not None and first.amount == Decimal(800)
    last = bill_cycle(PUMP, Cycle.TWENTY_EIGHT_DAY, on, back, 2, first.amount, proration)
    assert last is not None and last.amount == Decimal(second)
    # Billed 800.00 in advance for 28 days, back after 9.
    terms = LineTerms(
        PUMP,
        Cycle.TWENTY_EIGHT_DAY,
        Timing.ADVANCE,
        on,
        date(2026, 3, 11),
        "pump",
        proration=proration,
    )
    assert early_return_credit(terms, Decimal(800)) == Decimal(credit)


def test_a_proration_at_start_needs_calendar_month_cycles() -> None:
    for cycle in (Cycle.TWENTY_EIGHT_DAY, Cycle.WEEKLY, Cycle.ANNIVERSARY):
        with pytest.raises(RentalRuleBroken, match="calendar-month"):
            check_proration(cycle, Proration(start=ProrationChoice.PRORATED))
        check_proration(cycle, Proration(end=ProrationChoice.FULL_CYCLE))


def _prorations(cycle: Cycle) -> st.SearchStrategy[Proration]:
    starts = list(ProrationChoice) if cycle == Cycle.CALENDAR_MONTH else [Proration().start]
    return st.builds(Proration, st.sampled_from(starts), st.sampled_from(list(ProrationChoice)))


def _table_for(table: RateTable, cycle: Cycle) -> RateTable:
    return table.on_28_day_cycle() if cycle == Cycle.TWENTY_EIGHT_DAY else table


def _charged_days(cycle: Cycle, on_rent: date, through: date, proration: Proration) -> int:
    """The days a charge may cover: those on rent, widened by a full-cycle choice to the
    first cycle's start and the last one's end."""
    first = on_rent
    if proration.start == ProrationChoice.FULL_CYCLE and cycle == Cycle.CALENDAR_MONTH:
        first = on_rent.replace(day=1)
    last = through
    if proration.end == ProrationChoice.FULL_CYCLE:
        number = cycle_of(cycle, on_rent, max(on_rent, through - timedelta(days=1)))
        last = window(cycle, on_rent, number)[1]
    return days_on_rent(first, last)


spans = st.tuples(
    st.sampled_from(list(Cycle)),
    st.dates(min_value=date(2026, 1, 1), max_value=date(2028, 12, 31)),
    st.integers(min_value=0, max_value=200),
)


@given(tables, spans, st.data())
def test_with_any_proration_a_charge_never_drops_nor_exceeds_the_daily_price_of_its_days(
    table: RateTable, span: tuple[Cycle, date, int], data: st.DataObject
) -> None:
    cycle, on_rent, days = span
    proration = data.draw(_prorations(cycle))
    rates, through = _table_for(table, cycle), on_rent + timedelta(days=days)
    owed = charge_to_date(rates, cycle, on_rent, through, proration)[0]
    later = charge_to_date(rates, cycle, on_rent, through + timedelta(days=1), proration)[0]
    assert owed <= later
    assert rates.daily is not None
    charged = _charged_days(cycle, on_rent, through, proration)
    assert owed <= max(rates.daily * charged, rates.minimum)


@given(tables, spans, st.data())
def test_with_any_proration_billing_in_cycles_sums_to_billing_the_span_once(
    table: RateTable, span: tuple[Cycle, date, int], data: st.DataObject
) -> None:
    cycle, on_rent, days = span
    proration = data.draw(_prorations(cycle))
    off_rent = on_rent + timedelta(days=max(1, days))
    billed, number = Decimal(0), 1
    while (
        bill := bill_cycle(table, cycle, on_rent, off_rent, number, billed, proration)
    ) is not None:
        assert bill.amount >= 0
        billed += bill.amount
        number += 1
    assert (
        billed == charge_to_date(_table_for(table, cycle), cycle, on_rent, off_rent, proration)[0]
    )


@given(tables, spans, st.integers(min_value=1, max_value=6), st.data())
def test_with_any_proration_an_early_return_credit_never_exceeds_what_was_billed(
    table: RateTable, span: tuple[Cycle, date, int], cycles: int, data: st.DataObject
) -> None:
    cycle, on_rent, days = span
    proration = data.draw(_prorations(cycle))
    billed = Decimal(0)
    for number in range(1, cycles + 1):  # billed in advance, still out
        bill = bill_cycle(table, cycle, on_rent, None, number, billed, proration)
        assert bill is not None
        billed += bill.amount
    terms = LineTerms(
        table,
        cycle,
        Timing.ADVANCE,
        on_rent,
        on_rent + timedelta(days=days),
        "line",
        proration=proration,
    )
    credit = early_return_credit(terms, billed)
    assert Decimal(0) <= credit <= billed


@given(
    cents,
    st.sampled_from(list(StoragePeriod)),
    st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31)),
    st.integers(min_value=1, max_value=90),
    st.integers(min_value=1, max_value=4),
)
def test_storage_ended_after_billing_ahead_is_credited_at_most_what_was_billed(
    price: Decimal, period: StoragePeriod, start: date, days: int, periods: int
) -> None:
    running = StorageSchedule("USD", period, start=start, prices=(Price(start, price),))
    billed = {n: period_charge(running, n).amount for n in range(1, periods + 1)}
    ended = StorageSchedule(
        "USD", period, start=start, prices=(Price(start, price),), end=start + timedelta(days=days)
    )
    credits = credit_on_end(ended, billed)
    for number, amount in billed.items():
        credit = credits.get(number, Decimal(0))
        assert Decimal(0) <= credit <= amount
        assert amount - credit == min(amount, period_charge(ended, number).amount)


def test_a_minimum_met_in_an_earlier_cycle_is_not_prorated_again_into_the_next() -> None:
    # 28 days at 0.02 bill the 0.57 minimum; one more day, prorated as 1/28 of the cycle's
    # remaining 0.55, came to 0.59, a cent more than 29 days at the daily price.
    table = RateTable(currency="USD", daily=Decimal("0.02"), minimum=Decimal("0.57"))
    rates = _table_for(table, Cycle.TWENTY_EIGHT_DAY)
    proration = Proration(ProrationChoice.RATE_ENGINE, ProrationChoice.PRORATED)
    owed, why = charge_to_date(
        rates, Cycle.TWENTY_EIGHT_DAY, date(2026, 1, 1), date(2026, 1, 30), proration
    )
    assert owed == Decimal("0.58")
    assert "less than the prorated 0.59" in why
