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


class Cycle(StrEnum):
    TWENTY_EIGHT_DAY = "28_day"
    CALENDAR_MONTH = "calendar_month"
    ANNIVERSARY = "monthly_anniversary"
    WEEKLY = "weekly"


class Timing(StrEnum):
    ADVANCE = "advance"
    ARREARS = "arrears"


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
) -> CycleBill | None:
    """Cycle `number`, charged through its end or the off-rent date, whichever is first; none
    when the line was back before the cycle began. In advance or in arrears changes only when
    it is due (`due_on`), not what it bills."""
    start, end = window(cycle, on_rent, number)
    if off_rent is not None and off_rent <= start and number > 1:
        return None
    through = end if off_rent is None else min(end, off_rent)
    if cycle == Cycle.TWENTY_EIGHT_DAY:
        table = table.on_28_day_cycle()
    to_date = charge(table, days_on_rent(on_rent, through))
    amount = max(ZERO, to_date.amount - billed_before)
    explanation = f"cycle {number} from {start}, charged up to {through}: {to_date.explanation}"
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
