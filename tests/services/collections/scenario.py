"""The hand-computed scenario: two customers over August–October 2026 with invoices, partial
payments, a credit memo, a write-off and a returned (NSF) payment. The expected numbers below
were worked out by hand from docs/domain.md#kpis; the comments show the arithmetic."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from shared.events.catalog import EventPayload
from shared.events.customers import CustomerRegistered
from tests.services.collections.books import Books
from tests.services.customer_events import customer

D = date


@dataclass
class Scenario:
    permian: Books = field(default_factory=lambda: Books(district="permian", sales_rep="rep-jones"))
    eagle: Books = field(
        default_factory=lambda: Books(district="eagle_ford", sales_rep="rep-smith")
    )

    def events(self) -> list[EventPayload]:
        a, b = self.permian, self.eagle
        inv1, inv2 = a.invoice("1000", D(2026, 8, 5)), a.invoice("2000", D(2026, 8, 20))
        inv3, inv4 = a.invoice("1500", D(2026, 9, 10)), a.invoice("3000", D(2026, 10, 15))
        inv5, inv6 = b.invoice("800", D(2026, 8, 1)), b.invoice("1200", D(2026, 10, 1))
        p1, p2 = a.payment("1600", D(2026, 9, 15)), a.payment("500", D(2026, 10, 5))
        p3 = b.payment("1000", D(2026, 10, 25))
        p2_on_inv3 = a.apply(p2, inv3, "500", D(2026, 10, 5))
        memo_on_inv2 = a.credit_memo("300", D(2026, 9, 25), inv2)
        return [
            CustomerRegistered(
                customer=customer(
                    id=a.customer_id,
                    account_number="C000001",
                    business_district="permian",
                    sales_rep="rep-jones",
                )
            ),
            CustomerRegistered(
                customer=customer(
                    id=b.customer_id,
                    account_number="C000002",
                    legal_name="Eagle Ford Hauling",
                    business_district="eagle_ford",
                    sales_rep="rep-smith",
                )
            ),
            inv5,
            inv1,
            inv2,
            inv3,
            p1,
            a.apply(p1, inv1, "1000", D(2026, 9, 15)),
            a.apply(p1, inv2, "600", D(2026, 9, 15)),
            memo_on_inv2,
            a.credit_memo_applied(memo_on_inv2, inv2),
            inv6,
            p2,
            p2_on_inv3,
            a.unapply(p2_on_inv3, D(2026, 10, 12)),
            a.reverse(p2, D(2026, 10, 12)),
            inv4,
            a.write_off(inv2, "100", D(2026, 10, 20)),
            p3,
            b.apply(p3, inv5, "800", D(2026, 10, 25)),
        ]


# Aging by due date (Net 30), as of several dates: bucket → amount; "credits" is unapplied.
EXPECTED_AGING = {
    # INV1 1000 due 09-04, INV2 2000 due 09-19, INV5 800 due 08-31 (0 days: still current).
    D(2026, 8, 31): {"current": "3800", "credits": "0"},
    # INV2 2000−600−300=1100 (11 days), INV5 800 (30 days) past due; INV3 1500 current.
    D(2026, 9, 30): {"current": "1500", "1-30": "1900", "credits": "0"},
    # P2's 500 still applied to INV3 (1000, due today: current); INV6 1200 current;
    # INV2 1100 (21 days); INV5 800 (40 days).
    D(2026, 10, 10): {"current": "2200", "1-30": "1100", "31-60": "800", "credits": "0"},
    # P2 returned: INV3 back to 1500 (21 days); INV2 1100−100 written off=1000 (42 days);
    # INV4 3000 and INV6 1200 (due today) current; B's 1000 paid INV5, 200 left unapplied.
    D(2026, 10, 31): {"current": "4200", "1-30": "1500", "31-60": "1000", "credits": "-200"},
}

# Credit sales: Aug 1000+2000+800=3800; Sep 1500−300=1200; Oct 3000+1200=4200.
# AR: end Aug 3800, end Sep 3400 (current 1500), end Oct 6700 (current 4200).
EXPECTED_KPIS = {
    "2026-10": {
        "credit_sales": "4200",
        "beginning_ar": "3400",
        "ending_ar": "6700",
        "current_ar": "4200",
        "dso_standard": "49.5",  # 6700 / 4200 × 31
        "dso_countback": "71.6",  # 31 + 30 + (6700−4200−1200) / 3800 × 31
        "best_possible_dso": "31.0",  # 4200 / 4200 × 31
        "average_days_delinquent": "18.5",  # 49.45 − 31
        "cei": "26.5",  # (3400 + 4200 − 6700) / (3400 + 4200 − 4200) × 100
    },
    "2026-09": {
        "credit_sales": "1200",
        "beginning_ar": "3800",
        "ending_ar": "3400",
        "current_ar": "1500",
        "dso_standard": "85.0",  # 3400 / 1200 × 30
        "dso_countback": "47.9",  # 30 + (3400−1200) / 3800 × 31
        "best_possible_dso": "37.5",  # 1500 / 1200 × 30
        "average_days_delinquent": "47.5",
        "cei": "45.7",  # (3800 + 1200 − 3400) / (3800 + 1200 − 1500) × 100
    },
}

OPEN_AR_OCT_31 = Decimal(
    "6700"
)  # 9500 invoiced − 300 credited − 2900 applied − 100 written off + 500 reversed


def bucket_view(totals: dict[str, object]) -> dict[str, str]:
    """An aging total as {bucket: amount} without zero buckets, plus the credits column."""
    buckets: dict[str, str] = totals["buckets"]  # type: ignore[assignment]
    view = {label: plain(v) for label, v in buckets.items() if Decimal(v)}
    view["credits"] = plain(totals["unapplied_credits"])
    return view


def plain(amount: object) -> str:
    """'3800.0000' → '3800': amounts compared by value, written as people write them."""
    return f"{Decimal(str(amount)).normalize():f}"
