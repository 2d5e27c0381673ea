"""Bureau reports: recorded by hand, or asked of a vendor whose reply is mapped by configuration."""

import base64
import json
import uuid
from collections.abc import AsyncIterator
from typing import cast

import pytest

from services.credit.settings import CreditSettings
from shared.auth import Role
from shared.service import Service
from tests.services.credit.conftest import Call, body
from tests.services.credit.fake_vendor import FakeVendor, fake_vendor

REPORTS = "/v1/bureau-reports"
MANAGER = Role.CREDIT_MANAGER
# This vendor nests its findings; the mapping says where each one is.
VENDOR_FIELDS = {
    "score": "/data/intelliscore",
    "payment_index": "/data/paydex",
    "derogatory_items": "/data/derogatory/count",
    "reported_on": "/data/as_of",
    "reference": "/report_id",
}
GOOD_REPLY = {
    "report_id": "R-99",
    "data": {"intelliscore": 72, "paydex": 78, "derogatory": {"count": 1}, "as_of": "2026-11-20"},
}


@pytest.fixture
async def vendor() -> AsyncIterator[FakeVendor]:
    async with fake_vendor() as vendor:
        yield vendor


@pytest.fixture
def credit_policy(credit_policy: None, vendor: FakeVendor, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AR_CREDIT_BUREAU_URL", vendor.url)
    monkeypatch.setenv("AR_CREDIT_BUREAU_API_KEY", "vendor-key-1")
    monkeypatch.setenv("AR_CREDIT_BUREAU_FIELDS", json.dumps(VENDOR_FIELDS))


async def test_a_report_pulled_by_hand_is_recorded_with_its_document(
    call: Call, customer_id: uuid.UUID
) -> None:
    pdf = b"%PDF-1.4 bureau report"
    report = {
        "customer_id": str(customer_id),
        "score": 81,
        "payment_index": 80,
        "derogatory_items": 0,
        "reported_on": "2026-11-02",
        "reference": "DB-123",
        "document_name": "report.pdf",
        "document_base64": base64.b64encode(pdf).decode(),
    }
    recorded = body(await call("post", REPORTS, MANAGER, subject="cm-ruiz", json=report), 201)
    assert (recorded["provider"], recorded["status"], recorded["score"]) == (
        "manual",
        "received",
        81,
    )
    assert (recorded["expired"], recorded["pulled_by"]) == (False, "cm-ruiz")

    listed = body(
        await call("get", REPORTS, Role.AUDITOR, params={"customer_id": str(customer_id)}), 200
    )
    assert [r["id"] for r in listed] == [recorded["id"]]


async def test_a_report_older_than_the_configured_age_shows_expired(
    call: Call, customer_id: uuid.UUID
) -> None:
    report = {"customer_id": str(customer_id), "score": 81, "reported_on": "2026-05-01"}
    assert body(await call("post", REPORTS, MANAGER, json=report), 201)["expired"] is True


async def test_bad_manual_reports_are_problems(call: Call, customer_id: uuid.UUID) -> None:
    report = {"customer_id": str(customer_id), "score": 140, "reported_on": "2026-11-02"}
    assert (await call("post", REPORTS, MANAGER, json=report)).status_code == 422
    report |= {"score": 80, "document_base64": "not base64!"}
    assert (await call("post", REPORTS, MANAGER, json=report)).status_code == 422
    report |= {"customer_id": str(uuid.uuid4()), "document_base64": None}
    assert (await call("post", REPORTS, MANAGER, json=report)).status_code == 404
    assert (await call("post", REPORTS, Role.SALES, json=report)).status_code == 403


async def test_the_vendors_reply_is_mapped_by_configuration(
    call: Call, customer_id: uuid.UUID, vendor: FakeVendor
) -> None:
    vendor.answer(GOOD_REPLY)
    pulled = body(
        await call("post", f"{REPORTS}/pull", MANAGER, json={"customer_id": str(customer_id)}), 201
    )
    assert (pulled["provider"], pulled["status"], pulled["error"]) == ("http", "received", None)
    assert (pulled["score"], pulled["payment_index"], pulled["derogatory_items"]) == (72, 78, 1)
    assert (pulled["reported_on"], pulled["reference"]) == ("2026-11-20", "R-99")
    [asked] = vendor.asked
    assert asked["query"]["customer_id"] == str(customer_id)
    assert asked["auth"] == "Bearer vendor-key-1"


@pytest.mark.parametrize(
    ("reply", "status", "error"),
    [
        (
            {"data": {"paydex": 78}},
            200,
            "malformed vendor reply: the reply has no score, reported_on",
        ),
        (
            {"data": {"intelliscore": "high", "as_of": "2026-11-20"}},
            200,
            "malformed vendor reply: score is not a whole number: 'high'",
        ),
        (
            {"data": {"intelliscore": 70, "as_of": "yesterday"}},
            200,
            "malformed vendor reply: reported_on is not a date: 'yesterday'",
        ),
        (b"<html>busy</html>", 200, "the vendor's reply is not JSON"),
        ({"error": "quota"}, 503, "the vendor answered 503"),
    ],
    ids=["missing-fields", "wrong-type", "bad-date", "not-json", "vendor-error"],
)
async def test_a_reply_that_cannot_be_read_is_recorded_as_a_failed_check(
    call: Call, customer_id: uuid.UUID, vendor: FakeVendor, reply: object, status: int, error: str
) -> None:
    vendor.answer(reply, status)
    pulled = body(
        await call("post", f"{REPORTS}/pull", MANAGER, json={"customer_id": str(customer_id)}), 201
    )
    assert (pulled["status"], pulled["score"], pulled["error"], pulled["expired"]) == (
        "failed",
        None,
        error,
        True,
    )
    stored = body(await call("get", f"{REPORTS}/{pulled['id']}", Role.AUDITOR), 200)
    assert stored == pulled


async def test_an_unreachable_vendor_is_a_failed_check(
    call: Call, customer_id: uuid.UUID, credit: Service
) -> None:
    settings = cast(CreditSettings, credit.settings)
    settings.bureau_url = "http://127.0.0.1:9/nothing-listens"
    pulled = body(
        await call("post", f"{REPORTS}/pull", MANAGER, json={"customer_id": str(customer_id)}), 201
    )
    assert pulled["status"] == "failed"
    assert pulled["error"].startswith("the vendor could not be reached")
