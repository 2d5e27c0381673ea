"""The rate engine: the charge for a span of days on rent is the cheapest combination of the
line's rate periods that covers it, never below the minimum charge, and every charge says how
it was made and what it was cheaper than (docs/domain.md#assets-on-rent)."""

import math
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache

from shared.api.problems import BusinessRuleViolation
from shared.money import round_money

ZERO = Decimal(0)


class RentalRuleBroken(BusinessRuleViolation):
    """A rate table, span, asset change or contract the rental rules refuse (a 422)."""

    slug = "rental-rule-broken"


class Period(StrEnum):
    DAY = "day"
    WEEK = "week"
    FOUR_WEEKS = "four_weeks"
    MONTH = "month"


@dataclass(frozen=True)
class RateTable:
    """A contract line's rates; any of them may be absent, at least one must be there. The
    month covers `month_days` days, so a monthly rate also caps what any such run of days costs."""

    currency: str
    daily: Decimal | None = None
    weekly: Decimal | None = None
    four_weeks: Decimal | None = None
    monthly: Decimal | None = None
    minimum: Decimal = ZERO
    month_days: int = 30

    def __post_init__(self) -> None:
        rates = [
            r for r in (self.daily, self.weekly, self.four_weeks, self.monthly) if r is not None
        ]
        if not rates:
            raise RentalRuleBroken(
                "a rate table needs at least one of daily, weekly, 28-day, monthly"
            )
        if any(r < 0 for r in rates) or self.minimum < 0:
            raise RentalRuleBroken("rates and the minimum charge may not be negative")
        if not 1 <= self.month_days <= 31:
            raise RentalRuleBroken("a month covers between 1 and 31 days")

    def periods(self) -> tuple[tuple[Period, int, Decimal], ...]:
        """(period, days it covers, rate), longest first."""
        found = (
            (Period.MONTH, self.month_days, self.monthly),
            (Period.FOUR_WEEKS, 28, self.four_weeks),
            (Period.WEEK, 7, self.weekly),
            (Period.DAY, 1, self.daily),
        )
        return tuple(
            (period, days, rate)
            for period, days, rate in sorted(found, key=lambda p: -p[1])
            if rate is not None
        )

    def on_28_day_cycle(self) -> "RateTable":
        """On 28-day cycles the month is the 28-day period: a monthly rate with no 28-day rate
        becomes monthly × 12 ÷ 13 per 28 days (13 cycles a year bill what 12 months would)."""
        if self.monthly is None:
            return self
        four_weeks = self.four_weeks
        if four_weeks is None:
            four_weeks = round_money(self.monthly * 12 / 13, self.currency)
        return replace(self, four_weeks=four_weeks, monthly=None)


@dataclass(frozen=True)
class Charge:
    days: int
    amount: Decimal
    combination: tuple[tuple[Period, int], ...]
    explanation: str


def days_on_rent(on_rent: date, through: date) -> int:
    """24-hour periods: the day it comes back is not charged, and at least one day is."""
    if through < on_rent:
        raise RentalRuleBroken(f"{through} is before the on-rent date {on_rent}")
    return max(1, (through - on_rent).days)


def _label(period: Period, count: int, days: int) -> str:
    if period == Period.DAY:
        return f"{count} day" if count == 1 else f"{count} days"
    if period == Period.WEEK:
        return f"{count} week" if count == 1 else f"{count} weeks"
    if period == Period.MONTH:
        return f"{count} month" if count == 1 else f"{count} months"
    return f"{days} days" if count == 1 else f"{count} × {days} days"


def _money(amount: Decimal) -> str:
    return f"{amount:,.2f}"


class _Covers:
    """The cheapest covers of one rate table for 1, 2, ... days, each day's from the ones
    before it: pricing a longer span extends the list instead of solving again from day 1, so
    the spans of a line billed cycle after cycle cost linear time, not quadratic."""

    def __init__(self, table: RateTable) -> None:
        self.periods = table.periods()
        self.best: list[tuple[Decimal, int, int]] = [(ZERO, 0, 0)]  # cost, days covered, periods
        self.counts: list[tuple[int, ...]] = [(0,) * len(self.periods)]

    def cover(self, days: int) -> tuple[Decimal, tuple[tuple[Period, int], ...]]:
        """Cheapest cover of at least `days` days; on a tie the one covering fewer days (3
        days at $100 beat a $300 week), then the one with fewer periods."""
        for n in range(len(self.best), days + 1):
            winner: tuple[Decimal, int, int] | None = None
            picked = -1
            for i, (_, length, rate) in enumerate(self.periods):
                cost, covered, count = self.best[max(0, n - length)]
                candidate = (cost + rate, covered + length, count + 1)
                if winner is None or candidate < winner:
                    winner, picked = candidate, i
            assert winner is not None
            before = self.counts[max(0, n - self.periods[picked][1])]
            self.best.append(winner)
            self.counts.append(tuple(c + (i == picked) for i, c in enumerate(before)))
        combination = tuple((self.periods[i][0], c) for i, c in enumerate(self.counts[days]) if c)
        return self.best[days][0], combination


@lru_cache(maxsize=1024)
def _covers(table: RateTable) -> _Covers:
    return _Covers(table)


def charge(table: RateTable, days: int) -> Charge:
    """The charge for `days` days on rent, with its explanation."""
    if days < 1:
        raise RentalRuleBroken("a span on rent is at least one day")
    covers = _covers(table)
    cost, combination = covers.cover(days)
    length = {period: d for period, d, _ in covers.periods}
    rate = {period: r for period, _, r in covers.periods}
    used = " + ".join(_label(p, c, length[p]) for p, c in combination)
    parts = " + ".join(
        _money(rate[p]) if c == 1 else f"{c} × {_money(rate[p])}" for p, c in combination
    )
    explanation = f"{days} days on rent: {used} at {parts} = {_money(cost)}"
    # The single-period alternatives it beat, cheapest first.
    dearer = sorted(
        (n * r, _label(p, n, d))
        for p, d, r in covers.periods
        if (n := math.ceil(days / d)) * r > cost
    )
    if dearer:
        beaten = ", ".join(f"{label} at {_money(amount)}" for amount, label in dearer)
        explanation += f"; cheaper than {beaten}"
    amount = cost
    if cost < table.minimum:
        amount = table.minimum
        explanation += f"; minimum charge {_money(table.minimum)} applies"
    return Charge(days, round_money(amount, table.currency), combination, explanation)


def credit_on_return(table: RateTable, days: int, billed: Decimal) -> Decimal:
    """What to credit when an asset billed in advance comes back early: what was billed less
    the charge for the days it was out; never negative, so never more than was billed."""
    return max(ZERO, billed - charge(table, days).amount)
