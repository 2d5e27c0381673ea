"""The formulas in plain Python: buckets, the DSO family and CEI, as domain.md defines them."""

from datetime import date
from decimal import Decimal

import pytest

from services.collections.aging_rules import Buckets, InvalidEdges, parse_edges
from services.collections.kpi_rules import (
    MonthSales,
    average_days_delinquent,
    best_possible_dso,
    collection_effectiveness,
    dso_countback,
    dso_standard,
    shown,
)


def test_countback_dso_matches_the_domain_example() -> None:
    months = [MonthSales(Decimal(s), 30) for s in ("100000", "80000", "70000")]
    assert shown(dso_countback(Decimal("212000"), months)) == Decimal("73.7")


def test_countback_counts_part_of_the_newest_month_when_ar_is_below_its_sales() -> None:
    assert dso_countback(Decimal("50"), [MonthSales(Decimal("100"), 31)]) == Decimal("15.5")


def test_countback_is_undefined_when_ar_outlasts_the_history() -> None:
    assert dso_countback(Decimal("500"), [MonthSales(Decimal("100"), 30)]) is None


def test_standard_best_possible_add_and_cei() -> None:
    dso = dso_standard(Decimal("6700"), Decimal("4200"), 31)
    best = best_possible_dso(Decimal("4200"), Decimal("4200"), 31)
    assert (shown(dso), shown(best)) == (Decimal("49.5"), Decimal("31.0"))
    assert shown(average_days_delinquent(dso, best)) == Decimal("18.5")
    cei = collection_effectiveness(
        Decimal("3400"), Decimal("4200"), Decimal("6700"), Decimal("4200")
    )
    assert shown(cei) == Decimal("26.5")


def test_dso_is_undefined_without_credit_sales() -> None:
    assert dso_standard(Decimal("100"), Decimal(0), 30) is None


def test_default_buckets_follow_domain_md() -> None:
    buckets = Buckets()
    assert buckets.labels == ["current", "1-30", "31-60", "61-90", "91-120", "over_120"]
    assert [buckets.index(d) for d in (-5, 0, 1, 30, 31, 120, 121)] == [0, 0, 1, 1, 2, 4, 5]


def test_bucket_cutoffs_are_the_oldest_date_in_each_bucket() -> None:
    assert Buckets((0, 30)).cutoffs(date(2026, 10, 31)) == [date(2026, 10, 31), date(2026, 10, 1)]


@pytest.mark.parametrize("text", ["", "30,0", "a,b", "-1,30", "0,30,30"])
def test_bad_bucket_edges_are_refused(text: str) -> None:
    with pytest.raises(InvalidEdges):
        parse_edges(text)


def test_configured_edges_make_their_own_buckets() -> None:
    assert parse_edges("0,45,90").labels == ["current", "1-45", "46-90", "over_90"]
