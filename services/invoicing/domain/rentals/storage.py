"""Recurring storage: a flat amount per period (or per unit stored), prorated by the days used
in each period, with pauses and effective-dated price changes (docs/domain.md#assets-on-rent)."""

import calendar
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from services.invoicing.domain.rentals.rates import ZERO, RentalRuleBroken
from shared.money import round_money


class StoragePeriod(StrEnum):
    CALENDAR_MONTH = "calendar_month"
    TWENTY_EIGHT_DAY = "28_day"


@dataclass(frozen=True)
class Price:
    effective: date
    amount: Decimal


@dataclass(frozen=True)
class StorageSchedule:
    """`prices` are per period (per unit when `units` is given), each from its effective date."""

    currency: str
    period: StoragePeriod
    start: date
    prices: tuple[Price, ...]
    end: date | None = None
    units: Decimal | None = None
    pauses: tuple[tuple[date, date | None], ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.prices:
            raise RentalRuleBroken("a storage schedule needs a price")
        if any(p.amount < 0 for p in self.prices):
            raise RentalRuleBroken("a storage price may not be negative")
        if self.end is not None and self.end <= self.start:
            raise RentalRuleBroken("a storage schedule ends after it starts")
        if self.units is not None and self.units < 0:
            raise RentalRuleBroken("units stored may not be negative")


def period_window(schedule: StorageSchedule, number: int) -> tuple[date, date]:
    """Period `number` (from 1): calendar months from the start's month, or 28 days from it."""
    if schedule.period == StoragePeriod.TWENTY_EIGHT_DAY:
        start = schedule.start + timedelta(days=28 * (number - 1))
        return start, start + timedelta(days=28)
    month_index = schedule.start.month - 1 + number - 1
    year, month = schedule.start.year + month_index // 12, month_index % 12 + 1
    first = date(year, month, 1)
    return first, first + timedelta(days=calendar.monthrange(year, month)[1])


def _price_on(schedule: StorageSchedule, day: date) -> Decimal:
    prices = [p for p in sorted(schedule.prices, key=lambda p: p.effective) if p.effective <= day]
    if not prices:
        raise RentalRuleBroken(f"no storage price in effect on {day}")
    return prices[-1].amount


def _paused(pauses: Sequence[tuple[date, date | None]], day: date) -> bool:
    return any(start <= day and (end is None or day < end) for start, end in pauses)


@dataclass(frozen=True)
class StorageCharge:
    number: int
    start: date
    end: date
    days_used: int
    amount: Decimal
    explanation: str


def period_charge(schedule: StorageSchedule, number: int) -> StorageCharge:
    """A period's charge = price × days used ÷ days in the period, summed over the prices in
    effect, rounded once; the day it leaves and paused days are not used days."""
    start, end = period_window(schedule, number)
    length = (end - start).days
    used_by_price: dict[Decimal, int] = {}
    day = start
    while day < end:
        stored = schedule.start <= day and (schedule.end is None or day < schedule.end)
        if stored and not _paused(schedule.pauses, day):
            price = _price_on(schedule, day)
            used_by_price[price] = used_by_price.get(price, 0) + 1
        day += timedelta(days=1)
    units = schedule.units if schedule.units is not None else Decimal(1)
    exact = sum((p * units * d / length for p, d in used_by_price.items()), ZERO)
    amount = round_money(exact, schedule.currency)
    per_unit = f" × {units} units" if schedule.units is not None else ""
    parts = " + ".join(f"{p:,.2f}{per_unit} × {d}/{length}" for p, d in used_by_price.items())
    explanation = f"{start} to {end - timedelta(days=1)}: {parts or 'not used'} = {amount:,.2f}"
    return StorageCharge(number, start, end, sum(used_by_price.values()), amount, explanation)


def due_periods(
    schedule: StorageSchedule, advance: bool, last_billed: int, cut_off: date
) -> list[StorageCharge]:
    """Every period after `last_billed` due by `cut_off`: in advance from its first stored
    day, in arrears from its last (or the day storage ended)."""
    found, number = [], last_billed + 1
    while True:
        start, end = period_window(schedule, number)
        if schedule.end is not None and start >= schedule.end:
            break
        first = max(start, schedule.start)
        last = end - timedelta(days=1)
        if schedule.end is not None:
            last = min(last, schedule.end - timedelta(days=1))
        if (first if advance else last) > cut_off:
            break
        found.append(period_charge(schedule, number))
        number += 1
    return found


def credit_on_end(schedule: StorageSchedule, billed: Mapping[int, Decimal]) -> dict[int, Decimal]:
    """Per billed period (number → amount billed): what it was billed beyond what its days
    stored owe now that the schedule has ended; never negative, so never more than was
    billed. A period wholly after the end owes nothing and is credited in full."""
    found = {}
    for number, amount in billed.items():
        credit = amount - period_charge(schedule, number).amount
        if credit > 0:
            found[number] = credit
    return found


def accrued(schedule: StorageSchedule, billed_periods: Set[int], as_of: date) -> Decimal:
    """Storage earned through `as_of` in periods not billed yet, prorated to that day."""
    end = as_of + timedelta(days=1)
    if schedule.end is not None:
        end = min(end, schedule.end)
    if end <= schedule.start:
        return ZERO
    so_far = replace(schedule, end=end)
    total, number = ZERO, 1
    while period_window(so_far, number)[0] < end:
        if number not in billed_periods:
            total += period_charge(so_far, number).amount
        number += 1
    return total
