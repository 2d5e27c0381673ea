"""Billing cycles of a rental line: the windows a cycle covers, and what a cycle bills, which
is always the charge for the days to date less what was already billed, so a span billed over
many cycles never costs more than the same span billed once (docs/domain.md#assets-on-rent)."""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from services.invoicing.domain.rentals.rates import (
    ZERO,
    Charge,
    RateTable,
    RentalRuleBroken,
    charge,
    days_on_rent,
)
from shared.money import round_money


class Cycle(StrEnum):
    TWENTY_EIGHT_DAY = "28_day"
    CALENDAR_MONTH = "calendar_month"
    ANNIVERSARY = "monthly_anniversary"
    WEEKLY = "weekly"


class Timing(StrEnum):
    ADVANCE = "advance"
    ARREARS = "arrears"


class ProrationChoice(StrEnum):
    """How a partial cycle is charged: its days by the rate engine, with the rest of the span
    (the default); the whole cycle's charge × days used ÷ days in the cycle; or the whole cycle."""

    RATE_ENGINE = "rate_engine"
    PRORATED = "prorated"
    FULL_CYCLE = "full_cycle"


@dataclass(frozen=True)
class Proration:
    """A contract's choices for a partial first cycle (only calendar months have one: the
    others start on the on-rent date) and for the cycle the line comes back inside."""

    start: ProrationChoice = ProrationChoice.RATE_ENGINE
    end: ProrationChoice = ProrationChoice.RATE_ENGINE


def check_proration(cycle: "Cycle", proration: Proration) -> None:
    if cycle != Cycle.CALENDAR_MONTH and proration.start != ProrationChoice.RATE_ENGINE:
        raise RentalRuleBroken(
            f"{cycle} cycles start on the on-rent date, so no first cycle is partial: "
            "a proration at start needs calendar-month cycles"
        )


def _months_after(day: date, months: int) -> date:
    """The same day of the month `months` later, or that month's last day when it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def window(cycle: Cycle, on_rent: date, number: int) -> tuple[date, date]:
    """Cycle `number` (from 1) of a line on rent since `on_rent`: [start, end)."""
    if number < 1:
        raise RentalRuleBroken("cycles are numbered from 1")
    if cycle == Cycle.TWENTY_EIGHT_DAY:
        start = on_rent + timedelta(days=28 * (number - 1))
        return start, start + timedelta(days=28)
    if cycle == Cycle.WEEKLY:
        start = on_rent + timedelta(days=7 * (number - 1))
        return start, start + timedelta(days=7)
    if cycle == Cycle.ANNIVERSARY:
        return _months_after(on_rent, number - 1), _months_after(on_rent, number)
    first_of_month = on_rent.replace(day=1)
    start = on_rent if number == 1 else _months_after(first_of_month, number - 1)
    return start, _months_after(first_of_month, number)


def cycle_of(cycle: Cycle, on_rent: date, day: date) -> int:
    """The number of the cycle that `day` falls in (the on-rent day is in cycle 1)."""
    if day < on_rent:
        raise RentalRuleBroken(f"{day} is before the on-rent date {on_rent}")
    days = (day - on_rent).days
    if cycle == Cycle.TWENTY_EIGHT_DAY:
        return days // 28 + 1
    if cycle == Cycle.WEEKLY:
        return days // 7 + 1
    number = max(1, (day.year - on_rent.year) * 12 + day.month - on_rent.month)
    while window(cycle, on_rent, number)[1] <= day:
        number += 1
    while number > 1 and window(cycle, on_rent, number)[0] > day:
        number -= 1
    return number


def _money(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def _with_start(
    table: RateTable, cycle: Cycle, on_rent: date, through: date, choice: ProrationChoice
) -> tuple[Decimal, str]:
    """The charge up to `through` under the start choice: a calendar month begun after its
    first day is charged by the rate engine with the rest of the span, in full (the span
    counted from the month's first day), or as its share of the full month's charge."""
    first = on_rent.replace(day=1)
    if cycle != Cycle.CALENDAR_MONTH or on_rent == first or choice == ProrationChoice.RATE_ENGINE:
        found = charge(table, days_on_rent(on_rent, through))
        return found.amount, found.explanation
    if choice == ProrationChoice.FULL_CYCLE:
        found = charge(table, days_on_rent(first, through))
        return found.amount, f"first month in full, from {first}: {found.explanation}"
    month_end = window(cycle, on_rent, 1)[1]
    month_days = (month_end - first).days
    month = charge(table, month_days)
    used = days_on_rent(on_rent, min(through, month_end))
    part = round_money(month.amount * used / month_days, table.currency)
    text = f"first month prorated {used}/{month_days} of {_money(month.amount)} = {_money(part)}"
    if through <= month_end:
        return part, text
    # After the first month the span is charged as if it had begun on the month's first day,
    # less that full month: the days after it cost what they would have otherwise.
    whole = charge(table, days_on_rent(first, through))
    amount = part + whole.amount - month.amount
    return amount, (
        f"{text}; then {whole.explanation}, less the month's {_money(month.amount)}"
        f" = {_money(amount)}"
    )


def charge_to_date(
    table: RateTable, cycle: Cycle, on_rent: date, through: date, proration: Proration
) -> tuple[Decimal, str]:
    """What a line on rent since `on_rent` owes for its days up to `through` under the
    contract's proration (`table` as the cycle prices it). Never less for a later `through`,
    so a cycle billing this less what was billed before sums to the span billed once."""
    number = cycle_of(cycle, on_rent, max(on_rent, through - timedelta(days=1)))
    start, end = window(cycle, on_rent, number)
    if through >= end or proration.end == ProrationChoice.RATE_ENGINE:
        return _with_start(table, cycle, on_rent, through, proration.start)
    whole, text = _with_start(table, cycle, on_rent, end, proration.start)
    if proration.end == ProrationChoice.FULL_CYCLE:
        return whole, f"back inside cycle {number}, charged to its end {end}: {text}"
    before = ZERO
    if number > 1:
        before = _with_start(table, cycle, on_rent, start, proration.start)[0]
    used, length = max(1, (through - start).days), (end - start).days
    part = round_money((whole - before) * used / length, table.currency)
    text = (
        f"back inside cycle {number}: {_money(before)} to {start}, then {used}/{length} of the"
        f" cycle's {_money(whole - before)} = {_money(part)} ({text})"
    )
    # A minimum charge met before this cycle would otherwise be prorated again into its share:
    # prorating never charges more than the rate engine would for the days actually on rent.
    engine, engine_text = _with_start(table, cycle, on_rent, through, proration.start)
    if engine < before + part:
        return engine, f"{engine_text}, less than the prorated {_money(before + part)} ({text})"
    return before + part, text


@dataclass(frozen=True)
class CycleBill:
    """What one cycle of a line bills: charge to date less billed before, with why."""

    number: int
    start: date
    end: date
    through: date
    charge_to_date: Charge
    billed_before: Decimal
    amount: Decimal
    explanation: str


def bill_cycle(
    table: RateTable,
    cycle: Cycle,
    on_rent: date,
    off_rent: date | None,
    number: int,
    billed_before: Decimal,
    proration: Proration = Proration(),
) -> CycleBill | None:
    """Cycle `number`, charged through its end or the off-rent date, whichever is first; none
    when the line was back before the cycle began. In advance or in arrears changes only when
    it is due (`due_on`), not what it bills. `charge_to_date` on the bill is the rate engine's
    charge for the days (the periods the meter's included hours count); its amount follows
    the proration."""
    start, end = window(cycle, on_rent, number)
    if off_rent is not None and off_rent <= start and number > 1:
        return None
    through = end if off_rent is None else min(end, off_rent)
    if cycle == Cycle.TWENTY_EIGHT_DAY:
        table = table.on_28_day_cycle()
    to_date = charge(table, days_on_rent(on_rent, through))
    if proration == Proration():  # the rate engine's charge for the days: priced once
        owed, why = to_date.amount, to_date.explanation
    else:
        owed, why = charge_to_date(table, cycle, on_rent, through, proration)
    amount = max(ZERO, owed - billed_before)
    explanation = f"cycle {number} from {start}, charged up to {through}: {why}"
    if billed_before:
        explanation += f"; less {billed_before:,.2f} billed before = {amount:,.2f}"
    return CycleBill(number, start, end, through, to_date, billed_before, amount, explanation)


def due_on(timing: Timing, cycle: Cycle, on_rent: date, off_rent: date | None, number: int) -> date:
    """The day a cycle may first be billed: its first day in advance; in arrears its last day,
    or the off-rent date when the line came back inside it."""
    start, end = window(cycle, on_rent, number)
    if timing == Timing.ADVANCE:
        return start
    last = end - timedelta(days=1)
    return last if off_rent is None else min(last, off_rent)
