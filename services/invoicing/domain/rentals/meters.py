"""Excess meter hours on a rental line: the billed periods include hours (e.g. 8 a day, 40 a
week), and hours on the meter beyond them are billed at the line's excess rate."""

from dataclasses import dataclass
from decimal import Decimal

from services.invoicing.domain.rentals.rates import ZERO, Charge, Period, RentalRuleBroken
from shared.money import round_money


@dataclass(frozen=True)
class MeterAllowance:
    rate: Decimal
    per_day: Decimal = ZERO
    per_week: Decimal = ZERO
    per_four_weeks: Decimal = ZERO
    per_month: Decimal = ZERO

    def __post_init__(self) -> None:
        values = (self.rate, self.per_day, self.per_week, self.per_four_weeks, self.per_month)
        if any(v < 0 for v in values):
            raise RentalRuleBroken("meter hours and the excess rate may not be negative")

    def included(self, period: Period) -> Decimal:
        return {
            Period.DAY: self.per_day,
            Period.WEEK: self.per_week,
            Period.FOUR_WEEKS: self.per_four_weeks,
            Period.MONTH: self.per_month,
        }[period]


@dataclass(frozen=True)
class Excess:
    included: Decimal
    excess_hours: Decimal
    amount: Decimal
    explanation: str


def excess_hours(
    allowance: MeterAllowance, billed: Charge, hours: Decimal, currency: str = "USD"
) -> Excess:
    """Hours beyond what the periods of `billed` include, at the excess rate."""
    if hours < 0:
        raise RentalRuleBroken("hours on the meter may not be negative")
    included = sum((allowance.included(p) * n for p, n in billed.combination), ZERO)
    over = max(ZERO, hours - included)
    amount = round_money(over * allowance.rate, currency)
    explanation = (
        f"{hours} hours on the meter, {included} included: {over} × {allowance.rate:,.2f}"
        f" = {amount:,.2f}"
    )
    return Excess(included, over, amount, explanation)
