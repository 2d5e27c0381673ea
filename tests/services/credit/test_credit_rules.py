"""Credit's rules without a web server or a database: authority, authorization, holds, vendor
replies."""

import uuid
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.credit.domain.applications import (
    ApplicationStatus,
    OverAuthority,
    OwnRequest,
    WrongStatus,
    check_approval_authority,
    check_not_own_request,
    check_transition,
)
from services.credit.domain.bureau import MalformedReply, is_expired, map_reply
from services.credit.domain.exposure import (
    CreditPosition,
    DeclineCode,
    Exposure,
    OpenHold,
    authorize,
)
from services.credit.domain.holds import HoldAction, automatic_hold_reasons, next_hold_action
from services.credit.domain.promises import Promise, Received, broken_promises, is_broken
from services.credit.domain.scoring import ScoreInputs, score
from services.credit.queries.scores import payment_days_beyond_terms
from shared.auth import Principal, Role

TODAY = date(2026, 11, 23)
MANAGER_LIMIT = Decimal(50000)


def person(*roles: Role, subject: str = "cm") -> Principal:
    return Principal(subject=subject, roles=frozenset(roles))


def position(
    limit: str | None = "10000",
    open_ar: str = "0",
    due: date | None = None,
    hold: OpenHold | None = None,
) -> CreditPosition:
    return CreditPosition(
        customer_id=uuid.uuid4(),
        currency="USD",
        credit_limit=None if limit is None else Decimal(limit),
        exposure=Exposure(open_ar=Decimal(open_ar)),
        oldest_due_date=due,
        hold=hold,
    )


class TestApprovalAuthority:
    def test_credit_manager_approves_up_to_the_configured_amount(self) -> None:
        check_approval_authority(person(Role.CREDIT_MANAGER), MANAGER_LIMIT, MANAGER_LIMIT)
        with pytest.raises(OverAuthority):
            check_approval_authority(
                person(Role.CREDIT_MANAGER), MANAGER_LIMIT + Decimal("0.01"), MANAGER_LIMIT
            )

    def test_supervisor_approves_any_amount(self) -> None:
        check_approval_authority(person(Role.AR_SUPERVISOR), Decimal(10**9), MANAGER_LIMIT)

    def test_other_roles_approve_nothing(self) -> None:
        with pytest.raises(OverAuthority):
            check_approval_authority(person(Role.AR_COORDINATOR), Decimal(1), MANAGER_LIMIT)

    def test_nobody_decides_their_own_request(self) -> None:
        with pytest.raises(OwnRequest):
            check_not_own_request(person(Role.AR_SUPERVISOR, subject="sam"), "sam")
        check_not_own_request(person(Role.AR_SUPERVISOR, subject="sam"), "rep-jones")

    @pytest.mark.parametrize("status", ["approved", "declined", "submitted"])
    def test_only_an_application_under_review_is_decided(self, status: str) -> None:
        with pytest.raises(WrongStatus):
            check_transition(status, ApplicationStatus.APPROVED)


class TestAuthorize:
    def test_every_reason_is_listed(self) -> None:
        held = position(open_ar="9000", due=date(2026, 8, 31), hold=OpenHold(True, ["over"]))
        reasons = authorize(held, Decimal(2000), today=TODAY, max_days_past_due=60)
        assert [(r.code, r.amount, r.days) for r in reasons] == [
            (DeclineCode.ON_HOLD, None, None),
            (DeclineCode.PAST_DUE, None, 84),
            (DeclineCode.OVER_LIMIT, Decimal(1000), None),
        ]

    def test_no_limit_means_no_credit(self) -> None:
        [reason] = authorize(position(limit=None), Decimal(1), today=TODAY, max_days_past_due=60)
        assert reason.code is DeclineCode.NO_ACTIVE_CREDIT

    @given(
        limit=st.decimals(min_value=0, max_value=10**7, places=2),
        exposure=st.decimals(min_value=-(10**6), max_value=10**7, places=2),
        amount=st.decimals(min_value=Decimal("0.01"), max_value=10**7, places=2),
    )
    def test_a_clean_account_is_approved_exactly_when_the_order_fits(
        self, limit: Decimal, exposure: Decimal, amount: Decimal
    ) -> None:
        clean = position(limit=str(limit), open_ar=str(exposure))
        reasons = authorize(clean, amount, today=TODAY, max_days_past_due=60)
        assert (not reasons) == (exposure + amount <= limit)
        for reason in reasons:
            assert reason.amount == exposure + amount - limit


class TestHolds:
    def test_over_the_limit_or_past_the_threshold_is_a_reason(self) -> None:
        assert (
            automatic_hold_reasons(position(open_ar="10000"), today=TODAY, hold_days_past_due=60)
            == []
        )
        assert (
            len(
                automatic_hold_reasons(
                    position(open_ar="10000.01"), today=TODAY, hold_days_past_due=60
                )
            )
            == 1
        )
        due_60_days_ago = date(2026, 9, 24)
        assert (
            automatic_hold_reasons(
                position(due=due_60_days_ago), today=TODAY, hold_days_past_due=60
            )
            == []
        )
        assert automatic_hold_reasons(
            position(due=date(2026, 9, 23)), today=TODAY, hold_days_past_due=60
        ) == ["an open invoice is 61 days past due (hold after 60)"]

    @pytest.mark.parametrize(
        ("hold", "reasons", "action"),
        [
            (None, ["over"], HoldAction.PLACE),
            (None, [], HoldAction.KEEP),
            (OpenHold(True, ["over"]), [], HoldAction.RELEASE),
            (OpenHold(True, ["over"]), ["over"], HoldAction.KEEP),
            (OpenHold(False, ["bankrupt"]), [], HoldAction.KEEP),
        ],
        ids=["place", "nothing-wrong", "cured", "still-over", "by-hand-stays"],
    )
    def test_next_action(
        self, hold: OpenHold | None, reasons: list[str], action: HoldAction
    ) -> None:
        assert next_hold_action(hold, reasons) is action


class TestVendorReplies:
    FIELDS = {
        "score": "/a/score",
        "reported_on": "/a/date",
        "payment_index": "/a/pi",
        "derogatory_items": "/a/items/0",
        "reference": "/id",
    }

    def test_fields_are_read_through_their_pointers(self) -> None:
        findings = map_reply(
            {"id": 7, "a": {"score": "64", "date": "2026-11-01", "pi": 80, "items": [2]}},
            self.FIELDS,
        )
        assert (findings.score, findings.payment_index, findings.derogatory_items) == (64, 80, 2)
        assert (findings.reported_on, findings.reference) == (date(2026, 11, 1), "7")

    @pytest.mark.parametrize(
        "reply",
        [
            [1, 2],
            {"a": {"score": 64}},
            {"a": {"score": True, "date": "2026-11-01"}},
            {"a": {"score": 101, "date": "2026-11-01"}},
            {"a": {"score": 50, "date": "2026-11-01", "pi": -1}},
        ],
        ids=["not-an-object", "no-date", "boolean-score", "score-out-of-range", "negative-index"],
    )
    def test_replies_that_do_not_fit_are_malformed(self, reply: object) -> None:
        with pytest.raises(MalformedReply):
            map_reply(reply, self.FIELDS)

    def test_a_report_expires_the_day_after_its_age_runs_out(self) -> None:
        assert not is_expired(date(2026, 5, 27), today=TODAY, max_age_days=180)
        assert is_expired(date(2026, 5, 26), today=TODAY, max_age_days=180)


class TestScorecard:
    def test_days_beyond_terms_are_weighted_by_amount(self) -> None:
        paid = [
            (Decimal(1000), date(2026, 7, 1), date(2026, 7, 1)),
            (Decimal(3000), date(2026, 9, 10), date(2026, 8, 31)),
        ]
        assert payment_days_beyond_terms(paid) == Decimal("7.5")
        assert payment_days_beyond_terms([]) is None

    def test_the_score_stays_within_0_and_100(self) -> None:
        worst = score(
            ScoreInputs(
                bureau_score=5,
                bureau_payment_index=10,
                derogatory_items=9,
                reference_days_beyond_terms=[90],
                payment_days_beyond_terms=Decimal(120),
                returned_payments=5,
                utilisation=Decimal(2),
                relationship_days=30,
            )
        )
        best = score(
            ScoreInputs(
                bureau_score=95,
                bureau_payment_index=90,
                derogatory_items=0,
                reference_days_beyond_terms=[0],
                payment_days_beyond_terms=Decimal(-2),
                returned_payments=0,
                utilisation=Decimal("0.1"),
                relationship_days=4000,
            )
        )
        assert (worst.points, worst.grade) == (0, "E")
        assert (best.points, best.grade) == (100, "A")
        assert sum(f.points for f in best.factors) == 70  # 50 + 70, capped at 100

    def test_factors_that_did_not_move_the_score_are_not_among_moved_by(self) -> None:
        result = score(
            ScoreInputs(
                bureau_score=50,
                reference_days_beyond_terms=[20],
                utilisation=Decimal("0.7"),
                relationship_days=500,
            )
        )
        assert [f.name for f in result.moved_by] == []
        assert result.points == 50


class TestPromises:
    PROMISE = Promise(Decimal(500), recorded_on=date(2026, 10, 10), promised_on=date(2026, 10, 20))

    def test_a_promise_is_kept_by_payments_made_between_the_promise_and_its_day(self) -> None:
        paid = [
            Received(date(2026, 10, 12), Decimal(200)),
            Received(date(2026, 10, 20), Decimal(300)),
        ]
        assert not is_broken(self.PROMISE, paid, today=TODAY)

    def test_payments_outside_the_window_or_short_break_it(self) -> None:
        late = [Received(date(2026, 10, 21), Decimal(500))]
        short = [Received(date(2026, 10, 15), Decimal("499.99"))]
        before = [Received(date(2026, 10, 9), Decimal(500))]
        assert broken_promises([self.PROMISE] * 3, late + short + before, today=TODAY) == 3
        assert is_broken(self.PROMISE, short, today=TODAY)

    def test_a_promise_still_running_is_not_broken(self) -> None:
        assert not is_broken(self.PROMISE, [], today=date(2026, 10, 20))
