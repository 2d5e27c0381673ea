"""Credit applications: submitted, reviewed, approved by the right authority or declined."""

import uuid
from typing import Any

from shared.auth import Role
from shared.bus import InProcessBus
from tests.services.credit.conftest import Call, body, published_eventually

APPLICATIONS = "/v1/credit-applications"
MANAGER, SUPERVISOR, SALES = Role.CREDIT_MANAGER, Role.AR_SUPERVISOR, Role.SALES


def application(customer_id: uuid.UUID, **overrides: Any) -> dict[str, Any]:
    data = {
        "customer_id": str(customer_id),
        "business": {
            "legal_name": "Permian Basin Services LLC",
            "years_in_business": 12,
            "ownership": "LLC; J. Ortiz 60%, K. Lee 40%",
            "bank": "First Midland Bank",
        },
        "requested_limit": "40000.00",
        "requested_terms": {"kind": "net", "days": 30},
        "trade_references": [{"name": "Basin Supply", "contact": "AP, 432-555-0100"}],
        "bank_references": [{"bank": "First Midland Bank", "contact": "R. Diaz"}],
        "documents": [{"kind": "signed_application", "filename": "application.pdf"}],
    }
    return data | overrides


async def _under_review(call: Call, customer_id: uuid.UUID, **overrides: Any) -> dict[str, Any]:
    submitted = body(
        await call(
            "post",
            APPLICATIONS,
            SALES,
            subject="rep-jones",
            json=application(customer_id, **overrides),
        ),
        201,
    )
    assert submitted["status"] == "submitted"
    return body(await call("post", f"{APPLICATIONS}/{submitted['id']}/review", MANAGER), 200)


async def test_credit_manager_approves_within_authority_and_credit_becomes_active(
    call: Call, customer_id: uuid.UUID, bus: InProcessBus
) -> None:
    review = await _under_review(call, customer_id)
    approval = {"credit_limit": "40000.00", "conditions": "personal guarantee"}
    approved = body(
        await call(
            "post",
            f"{APPLICATIONS}/{review['id']}/approve",
            MANAGER,
            subject="cm-ruiz",
            json=approval,
        ),
        200,
    )

    assert (approved["status"], approved["approved_limit"], approved["decided_by"]) == (
        "approved",
        "40000.00",
        "cm-ruiz",
    )
    line = body(await call("get", f"/v1/credit-lines/{customer_id}", Role.AUDITOR), 200)
    assert (line["credit_limit"], line["terms"]["days"], line["review_on"]) == (
        "40000.00",
        30,
        "2027-11-23",
    )
    [changed] = await published_eventually(bus, "credit.limit_changed")
    assert (changed["previous_limit"], changed["new_limit"], changed["approved_by"]) == (
        None,
        "40000.00",
        "cm-ruiz",
    )
    [event] = await published_eventually(bus, "credit.application_approved")
    assert (event["customer_id"], event["credit_limit"], event["terms"]["days"]) == (
        str(customer_id),
        "40000.00",
        30,
    )


async def test_credit_manager_may_not_approve_above_authority_but_a_supervisor_may(
    call: Call, customer_id: uuid.UUID
) -> None:
    review = await _under_review(call, customer_id, requested_limit="75000")
    path = f"{APPLICATIONS}/{review['id']}/approve"

    refused = await call("post", path, MANAGER, json={"credit_limit": "75000"})
    assert refused.status_code == 403
    assert refused.json()["type"] == "urn:ar-platform:problem:over-approval-authority"
    still = body(await call("get", f"{APPLICATIONS}/{review['id']}", Role.AUDITOR), 200)
    assert still["status"] == "under_review"
    assert (await call("get", f"/v1/credit-lines/{customer_id}", Role.AUDITOR)).status_code == 404

    approved = body(await call("post", path, SUPERVISOR, json={"credit_limit": "75000"}), 200)
    assert approved["status"] == "approved"


async def test_nobody_approves_an_application_they_submitted(
    call: Call, customer_id: uuid.UUID
) -> None:
    submitted = body(
        await call("post", APPLICATIONS, MANAGER, subject="cm-ruiz", json=application(customer_id)),
        201,
    )
    await call("post", f"{APPLICATIONS}/{submitted['id']}/review", MANAGER, subject="cm-lee")

    refused = await call(
        "post",
        f"{APPLICATIONS}/{submitted['id']}/approve",
        MANAGER,
        subject="cm-ruiz",
        json={"credit_limit": "1000"},
    )
    assert refused.status_code == 403
    assert refused.json()["type"] == "urn:ar-platform:problem:own-request"


async def test_nobody_reviews_an_application_they_submitted(
    call: Call, customer_id: uuid.UUID
) -> None:
    submitted = body(
        await call("post", APPLICATIONS, MANAGER, subject="cm-ruiz", json=application(customer_id)),
        201,
    )
    path = f"{APPLICATIONS}/{submitted['id']}"
    refused = await call("post", f"{path}/review", MANAGER, subject="cm-ruiz")
    assert refused.status_code == 403
    assert refused.json()["type"] == "urn:ar-platform:problem:own-request"
    assert "review" in refused.json()["detail"]
    assert body(await call("get", path, Role.AUDITOR), 200)["status"] == "submitted"
    reviewed = await call("post", f"{path}/review", SUPERVISOR, subject="sup-ng")
    assert body(reviewed, 200)["reviewer"] == "sup-ng"


async def test_sales_may_submit_but_not_approve(call: Call, customer_id: uuid.UUID) -> None:
    review = await _under_review(call, customer_id)
    refused = await call(
        "post", f"{APPLICATIONS}/{review['id']}/approve", SALES, json={"credit_limit": "1000"}
    )
    assert refused.status_code == 403


async def test_approval_before_review_is_a_conflict(call: Call, customer_id: uuid.UUID) -> None:
    submitted = body(await call("post", APPLICATIONS, SALES, json=application(customer_id)), 201)
    refused = await call(
        "post", f"{APPLICATIONS}/{submitted['id']}/approve", MANAGER, json={"credit_limit": "1000"}
    )
    assert refused.status_code == 409
    assert refused.json()["type"] == "urn:ar-platform:problem:wrong-application-status"


async def test_declined_application_keeps_its_reasons_and_gives_no_credit(
    call: Call, customer_id: uuid.UUID
) -> None:
    review = await _under_review(call, customer_id)
    declined = body(
        await call(
            "post",
            f"{APPLICATIONS}/{review['id']}/decline",
            MANAGER,
            json={"reasons": ["two trade references unverifiable"]},
        ),
        200,
    )
    assert (declined["status"], declined["decline_reasons"]) == (
        "declined",
        ["two trade references unverifiable"],
    )
    assert (await call("get", f"/v1/credit-lines/{customer_id}", Role.AUDITOR)).status_code == 404
    again = await call(
        "post", f"{APPLICATIONS}/{review['id']}/approve", MANAGER, json={"credit_limit": "1000"}
    )
    assert again.status_code == 409


async def test_unknown_customer_and_negative_limit_are_problems(
    call: Call, customer_id: uuid.UUID
) -> None:
    unknown = await call("post", APPLICATIONS, SALES, json=application(uuid.uuid4()))
    assert unknown.status_code == 404
    negative = await call(
        "post", APPLICATIONS, SALES, json=application(customer_id, requested_limit="-5")
    )
    assert negative.status_code == 422
    assert [e["field"] for e in negative.json()["errors"]] == ["body.requested_limit"]
    listed = body(await call("get", APPLICATIONS, Role.AUDITOR), 200)
    assert listed["items"] == []


async def test_reference_calls_are_recorded_against_the_application(
    call: Call, customer_id: uuid.UUID
) -> None:
    review = await _under_review(call, customer_id)
    path = f"{APPLICATIONS}/{review['id']}/reference-checks"
    check = {
        "reference_name": "Basin Supply",
        "contact": "Dana, AP",
        "called_on": "2026-11-20",
        "highest_credit": "25000.00",
        "terms": "net 30",
        "days_beyond_terms": 4,
        "comments": "pays steadily",
        "verified": True,
    }
    recorded = body(await call("post", path, MANAGER, subject="cm-ruiz", json=check), 201)
    assert recorded["recorded_by"] == "cm-ruiz"

    listed = body(await call("get", path, Role.AUDITOR), 200)
    assert [{k: c[k] for k in check} for c in listed] == [check]
    assert (await call("post", path, SALES, json=check)).status_code == 403
