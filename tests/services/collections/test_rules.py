"""The formulas in plain Python: buckets, the DSO family and CEI, as docs/domain.md#aging and
docs/domain.md#kpis define them."""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from services.collections.domain.aging import Buckets, InvalidEdges, parse_edges
from services.collections.domain.kpis import (
    MonthSales,
    average_days_delinquent,
    best_possible_dso,
    collection_effectiveness,
    dso_countback,
    dso_standard,
    shown,
)
from services.collections.domain.work import (
    AccountPosition,
    LetterSent,
    PromiseStatus,
    call_priority,
    dunning_stage,
    letter_stage,
    promise_status,
    reason_not_to_dun,
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


def test_dunning_stage_steps_up_with_the_oldest_days_past_due() -> None:
    starts = (1, 31, 61, 91)
    assert [dunning_stage(d, starts) for d in (0, 1, 30, 31, 61, 90, 91, 400)] == [
        None,
        1,
        1,
        2,
        3,
        3,
        4,
        4,
    ]


def test_reasons_not_to_dun_come_in_order_promise_dispute_minimum_stage_email() -> None:
    def why(**changes: object) -> str | None:
        facts: dict[str, object] = {
            "live_promise": False,
            "undisputed": Decimal(100),
            "minimum": Decimal(50),
            "stage": 2,
            "has_email": True,
        }
        return reason_not_to_dun(**(facts | changes))  # type: ignore[arg-type]

    assert why() is None
    assert why(live_promise=True, undisputed=None) == "live_promise"
    assert why(undisputed=None) == "disputed"
    assert why(undisputed=Decimal("49.99")) == "under_minimum"
    assert why(stage=None) == "not_overdue_enough"
    assert why(has_email=False) == "no_email"


def test_a_letter_steps_up_one_stage_from_the_last_sent_never_twice_a_day() -> None:
    sent = LetterSent(stage=2, sent_on=date(2026, 11, 2))
    assert [letter_stage(reached, None) for reached in (None, 1, 4)] == [None, 1, 1]
    assert [letter_stage(reached, sent) for reached in (2, 3, 4)] == [2, 3, 3]

    def why(stage: int, on: date) -> str | None:
        return reason_not_to_dun(
            live_promise=False,
            undisputed=Decimal(100),
            minimum=Decimal(50),
            stage=stage,
            has_email=True,
            last=sent,
            as_of=on,
            interval=timedelta(days=10),
        )

    assert why(3, date(2026, 11, 2)) == "already_sent_today"
    assert why(2, date(2026, 12, 2)) == "stage_already_sent"
    assert why(3, date(2026, 11, 11)) == "sent_recently"
    assert why(3, date(2026, 11, 12)) is None


def test_promise_is_live_until_its_date_then_kept_or_broken() -> None:
    due = date(2026, 11, 10)
    assert promise_status(due, None, date(2026, 11, 10)) is PromiseStatus.LIVE
    assert promise_status(due, None, date(2026, 11, 11)) is PromiseStatus.BROKEN
    assert promise_status(due, date(2026, 11, 9), date(2026, 12, 1)) is PromiseStatus.KEPT


def test_call_priority_weighs_age_broken_promises_and_lateness() -> None:
    base = AccountPosition(
        past_due=Decimal(1000),
        oldest_days_past_due=30,
        disputed=Decimal(0),
        promised=Decimal(0),
        broken_promises=0,
        days_beyond_terms=None,
        last_activity_on=None,
    )
    older = replace(base, oldest_days_past_due=90)
    broken = replace(base, broken_promises=2)
    late = replace(base, days_beyond_terms=Decimal(30))
    assert call_priority(base) < min(
        call_priority(older), call_priority(broken), call_priority(late)
    )
    assert call_priority(replace(base, disputed=Decimal(1000))) == 0
