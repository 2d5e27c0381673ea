"""DSO (standard and countback), best possible DSO, ADD and CEI per month, from the ledger.

AR here is what posts to the AR control account (invoices and credit memos) as of each month
end; credit sales are invoices issued in the month net of voids and credit memos issued in it.
"""

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from services.collections.domain import kpis as rules
from services.collections.domain.aging import Buckets
from services.collections.domain.ledger import SALES_KINDS, Column
from services.collections.models import LedgerEntry, MonthlySales
from services.collections.queries.aging import AgingQuery, GroupBy, balances
from services.collections.queries.sums import grouped_sums

COUNTBACK_MONTHS = 12
_CURRENT_OR_NOT = Buckets((0,))  # bucket 0: not yet due on the date; 1: past due


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> "Month":
        year, month = text.split("-")
        return cls(int(year), int(month))

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def days(self) -> int:
        return calendar.monthrange(self.year, self.month)[1]

    @property
    def last(self) -> date:
        return date(self.year, self.month, self.days)

    def back(self, n: int = 1) -> "Month":
        index = self.year * 12 + self.month - 1 - n
        return Month(index // 12, index % 12 + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass
class MonthKpis:
    period: str
    currency: str
    group: str | None
    credit_sales: Decimal
    beginning_ar: Decimal
    ending_ar: Decimal
    current_ar: Decimal
    dso_standard: Decimal | None
    dso_countback: Decimal | None
    best_possible_dso: Decimal | None
    average_days_delinquent: Decimal | None
    cei: Decimal | None


Key = tuple[str, str | None]


async def _ar(
    session: AsyncSession, on: date, group_by: GroupBy | None
) -> dict[Key, tuple[Decimal, Decimal]]:
    """{(currency, group): (AR, current AR)} at the end of `on`."""
    q = AgingQuery(as_of=on, buckets=_CURRENT_OR_NOT, group_by=group_by, ar_only=True)
    result: dict[Key, tuple[Decimal, Decimal]] = defaultdict(lambda: (Decimal(0), Decimal(0)))
    for key, amount in (await balances(session, q)).items():
        currency, column, bucket = key[0], key[1], int(key[2])
        group = str(key[3]) if len(key) > 3 else None
        total, current = result[(currency, group)]
        is_current = column == Column.BUCKETS and bucket == 0
        result[(currency, group)] = (total + amount, current + (amount if is_current else 0))
    return result


SalesByMonth = dict[tuple[str, str | None, str], Decimal]


async def _sales(
    session: AsyncSession, first: Month, last: Month, group_by: GroupBy | None
) -> SalesByMonth:
    """{(currency, group, 'YYYY-MM'): credit sales} for the months from `first` to `last`,
    from the monthly totals the consumer keeps (per customer, from the entries)."""
    if group_by is GroupBy.CUSTOMER:
        return await _sales_by_customer(session, first, last)
    table = MonthlySales
    group = {GroupBy.DISTRICT: table.business_district, GroupBy.SALES_REP: table.sales_rep}
    keys = [col(table.currency), col(table.month)]
    if group_by is not None:
        keys.append(col(group[group_by]))
    totals = await grouped_sums(
        session,
        keys,
        col(table.amount),
        [col(table.month) >= str(first), col(table.month) <= str(last)],
    )
    return {(k[0], str(k[2]) if group_by else None, k[1]): amount for k, amount in totals.items()}


async def _sales_by_customer(session: AsyncSession, first: Month, last: Month) -> SalesByMonth:
    keys = [col(LedgerEntry.currency), col(LedgerEntry.entry_date), col(LedgerEntry.customer_id)]
    by_day = await grouped_sums(
        session,
        keys,
        col(LedgerEntry.amount),
        [
            col(LedgerEntry.kind).in_([str(kind) for kind in SALES_KINDS]),
            col(LedgerEntry.ar_control).is_(True),
            col(LedgerEntry.entry_date) >= first.first,
            col(LedgerEntry.entry_date) <= last.last,
        ],
    )
    sales: SalesByMonth = defaultdict(Decimal)
    for (currency, day, customer), amount in by_day.items():
        sales[(currency, str(customer), day.strftime("%Y-%m"))] += amount
    return sales


async def monthly_kpis(
    session: AsyncSession, period: Month, *, months: int = 1, group_by: GroupBy | None = None
) -> list[MonthKpis]:
    """The KPIs of `period` and the `months − 1` before it (a trend), newest last."""
    periods = [period.back(n) for n in reversed(range(months))]
    sales = await _sales(session, periods[0].back(COUNTBACK_MONTHS), period, group_by)
    ar_at = {m: await _ar(session, m.last, group_by) for m in [periods[0].back(), *periods]}
    result = []
    for month in periods:
        ending, beginning = ar_at[month], ar_at[month.back()]
        keys = sorted(set(ending) | {(c, g) for c, g, _ in sales}, key=lambda k: (k[0], k[1] or ""))
        for currency, group in keys:
            month_sales = sales.get((currency, group, str(month)), Decimal(0))
            end_ar, current_ar = ending.get((currency, group), (Decimal(0), Decimal(0)))
            begin_ar = beginning.get((currency, group), (Decimal(0), Decimal(0)))[0]
            if not (month_sales or end_ar or begin_ar):
                continue
            back = [month.back(n) for n in range(COUNTBACK_MONTHS)]
            history = [
                rules.MonthSales(sales.get((currency, group, str(m)), Decimal(0)), m.days)
                for m in back
            ]
            dso = rules.dso_standard(end_ar, month_sales, month.days)
            best = rules.best_possible_dso(current_ar, month_sales, month.days)
            result.append(
                MonthKpis(
                    period=str(month),
                    currency=currency,
                    group=group,
                    credit_sales=month_sales,
                    beginning_ar=begin_ar,
                    ending_ar=end_ar,
                    current_ar=current_ar,
                    dso_standard=rules.shown(dso),
                    dso_countback=rules.shown(rules.dso_countback(end_ar, history)),
                    best_possible_dso=rules.shown(best),
                    average_days_delinquent=rules.shown(rules.average_days_delinquent(dso, best)),
                    cei=rules.shown(
                        rules.collection_effectiveness(begin_ar, month_sales, end_ar, current_ar)
                    ),
                )
            )
    return result
