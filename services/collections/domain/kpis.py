"""The DSO family and CEI, exactly as docs/domain.md#kpis defines them. Plain Decimal arithmetic."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ONE_DECIMAL = Decimal("0.1")


@dataclass(frozen=True)
class MonthSales:
    """A month's credit sales (invoices net of credit memos) and its number of days."""

    sales: Decimal
    days: int


def dso_standard(ending_ar: Decimal, sales: Decimal, days: int) -> Decimal | None:
    """Ending AR ÷ the period's credit sales × its days; undefined without sales."""
    if sales <= 0:
        return None
    return ending_ar / sales * days


def dso_countback(ending_ar: Decimal, months: Sequence[MonthSales]) -> Decimal | None:
    """Count back from the newest month: each month whose sales the remaining AR covers counts
    its full days; the first it does not cover counts (what is left ÷ its sales) × its days.
    `months` is newest first. None when the AR outlasts every month given."""
    left, days = ending_ar, Decimal(0)
    if left <= 0:
        return Decimal(0)
    for month in months:
        if month.sales > 0 and left < month.sales:
            return days + left / month.sales * month.days
        left -= max(month.sales, Decimal(0))
        days += month.days
    return None


def best_possible_dso(current_ar: Decimal, sales: Decimal, days: int) -> Decimal | None:
    """Current (not yet due) AR ÷ credit sales × days."""
    return dso_standard(current_ar, sales, days)


def average_days_delinquent(dso: Decimal | None, best: Decimal | None) -> Decimal | None:
    if dso is None or best is None:
        return None
    return dso - best


def collection_effectiveness(
    beginning_ar: Decimal, sales: Decimal, ending_ar: Decimal, ending_current_ar: Decimal
) -> Decimal | None:
    """(beginning AR + sales − ending AR) ÷ (beginning AR + sales − ending current AR) × 100."""
    collectible = beginning_ar + sales - ending_current_ar
    if collectible <= 0:
        return None
    return (beginning_ar + sales - ending_ar) / collectible * 100


def shown(value: Decimal | None, places: Decimal = ONE_DECIMAL) -> Decimal | None:
    """A KPI as reported: days and percentages to one decimal (never money, so not round_money)."""
    return None if value is None else value.quantize(places, rounding=ROUND_HALF_UP)
