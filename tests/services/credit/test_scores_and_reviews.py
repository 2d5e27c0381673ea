"""The score with the factors that moved it, and the review worklist."""

import uuid
from datetime import date
from typing import Any

from shared.auth import Role
from shared.bus import InProcessBus
from tests.services.credit.conftest import Call, body
from tests.services.credit.feed import Books, publish
from tests.services.credit.test_applications_api import APPLICATIONS, application
from tests.services.credit.test_exposure_and_holds import _limit

MANAGER = Role.CREDIT_MANAGER


def _points(score: dict[str, Any]) -> dict[str, int]:
    return {factor["name"]: factor["points"] for factor in score["factors"]}


async def test_a_new_customer_scores_on_what_little_is_known(
    call: Call, customer_id: uuid.UUID
) -> None:
    score = body(await call("get", f"/v1/credit-scores/{customer_id}", MANAGER), 200)
    assert (score["points"], score["grade"]) == (30, "E")
    assert [f["name"] for f in score["moved_by"]] == [
        "bureau_score",
        "trade_references",
        "relationship_age",
    ]
    assert score["moved_by"][0]["explanation"] == "no current bureau report"


async def test_score_weighs_bureau_references_and_our_own_payment_history(
    call: Call, bus: InProcessBus, customer_id: uuid.UUID
) -> None:
    await _limit(call, customer_id, "10000")
    report = {
        "customer_id": str(customer_id),
        "score": 85,
        "payment_index": 72,
        "derogatory_items": 1,
        "reported_on": "2026-10-01",
    }
    body(await call("post", "/v1/bureau-reports", MANAGER, json=report), 201)
    submitted = body(
        await call("post", APPLICATIONS, Role.SALES, subject="rep", json=application(customer_id)),
        201,
    )
    for days, verified in ((4, True), (12, True), (90, False)):
        check = {
            "reference_name": "Ref",
            "contact": "AP",
            "called_on": "2026-11-20",
            "days_beyond_terms": days,
            "verified": verified,
        }
        body(
            await call(
                "post", f"{APPLICATIONS}/{submitted['id']}/reference-checks", MANAGER, json=check
            ),
            201,
        )
    books = Books(customer_id)
    early, late = (
        books.invoice("1000.00", date(2024, 6, 1)),
        books.invoice("3000.00", date(2026, 8, 1)),
    )
    bounced = books.invoice("500.00", date(2026, 10, 1))
    nsf = books.payment("500.00", date(2026, 10, 5))
    applied = books.apply(nsf, bounced, "500.00", date(2026, 10, 5))
    await publish(
        bus,
        early,
        late,
        bounced,
        *books.pay(early, "1000.00", date(2024, 7, 1)),  # due 07-01: on the day, 0 days beyond
        *books.pay(late, "3000.00", date(2026, 9, 10)),  # due 08-31: 10 days beyond
        nsf,
        applied,
        books.unapply(applied, date(2026, 10, 9)),
        books.reverse(nsf, date(2026, 10, 9)),
        # Promised after the check bounced; nothing came by the day promised.
        books.promise("500.00", date(2026, 10, 10), date(2026, 10, 20)),
        # Promised and kept with the September check.
        books.promise("3000.00", date(2026, 9, 1), date(2026, 9, 15)),
    )

    score = body(await call("get", f"/v1/credit-scores/{customer_id}", MANAGER), 200)
    values = {f["name"]: f["value"] for f in score["factors"]}
    assert _points(score) == {
        "bureau_score": 20,
        "bureau_payment_index": 5,
        "derogatory_items": -5,
        "trade_references": 5,
        "payment_history": 8,
        "returned_payments": -10,
        "broken_promises": -5,
        "utilisation": 5,
        "relationship_age": 5,
    }
    assert (values["trade_references"], values["payment_history"], values["utilisation"]) == (
        "8.0",
        "7.5",
        "5%",
    )  # (4 + 12) / 2; (1000 × 0 + 3000 × 10) / 4000; 500 / 10000
    assert (score["points"], score["grade"]) == (78, "B")
    assert score["moved_by"][0]["name"] == "bureau_score"


async def test_the_worklist_shows_reviews_coming_due_and_expired_reports(
    call: Call, bus: InProcessBus, customer_id: uuid.UUID
) -> None:
    line = {
        "credit_limit": "5000",
        "terms": {"kind": "net", "days": 30},
        "reason": "interim limit",
        "review_on": "2026-12-10",
    }
    body(await call("put", f"/v1/credit-lines/{customer_id}", MANAGER, json=line), 200)
    report = {"customer_id": str(customer_id), "score": 70, "reported_on": "2026-04-01"}
    body(await call("post", "/v1/bureau-reports", MANAGER, json=report), 201)

    work = body(await call("get", "/v1/credit-reviews", MANAGER), 200)
    assert [(w["kind"], w["due_on"]) for w in work] == [
        ("bureau_report_expired", "2026-09-29"),
        ("review_due", "2026-12-10"),
    ]
    assert work[0]["account_number"] == "C000001"

    fresh = {"customer_id": str(customer_id), "score": 70, "reported_on": "2026-11-01"}
    body(await call("post", "/v1/bureau-reports", MANAGER, json=fresh), 201)
    line |= {"review_on": "2027-06-01"}
    body(await call("put", f"/v1/credit-lines/{customer_id}", MANAGER, json=line), 200)
    assert body(await call("get", "/v1/credit-reviews", MANAGER), 200) == []
