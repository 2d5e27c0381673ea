"""Tickets in: intake, review, holds and their release, documents, the stale-unbilled query."""

import json
import uuid
from datetime import timedelta

import httpx

from shared.auth import Role
from shared.bus import BusMessage, InProcessBus
from shared.clock import utc_now
from shared.events.catalog import dead_letter_topic, topic_for
from shared.events.customers import CustomerSnapshot, CustomerStatus
from shared.events.envelope import EventEnvelope
from shared.events.sales import SalesTicketClosed
from tests.conftest import AuthHeaders
from tests.services.customer_events import deliver, revised
from tests.services.invoicing.conftest import PDF, attach, post_ticket, ready_ticket, ticket_body
from tests.support import eventually

INVOICING_TOPIC = topic_for("invoicing")
SALES_TOPIC = topic_for("sales")


def published(bus: InProcessBus, event_type: str) -> list[dict]:
    return [
        json.loads(m.value)["payload"]
        for m in bus.retained[INVOICING_TOPIC]
        if m.header("event_type") == event_type
    ]


async def test_ticket_missing_a_required_document_is_held_until_it_arrives(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot, bus: InProcessBus
) -> None:
    ticket = await post_ticket(api, auth, ticket_body(acme.id))
    assert ticket["status"] == "held"
    assert ticket["hold_reasons"] == ["missing document: time_sheet"]
    assert [line["amount"] for line in ticket["lines"]] == ["212.50", "120.10"]
    assert ticket["amount"] == "332.60"

    response = await attach(api, auth, ticket["id"], "time_sheet")
    assert response.status_code == 201, response.text
    after = (await api.get(f"/v1/tickets/{ticket['id']}", headers=auth(Role.AUDITOR))).json()
    assert (after["status"], after["hold_reasons"]) == ("ready", [])

    async def events() -> bool:
        return bool(published(bus, "ticket.closed")) and bool(published(bus, "ticket.held"))

    await eventually(events)
    assert published(bus, "ticket.held")[0]["reasons"] == ["missing document: time_sheet"]
    assert published(bus, "ticket.closed")[0]["amount"] == "332.60"


async def test_review_flags_missing_po_price_deviation_and_credit_hold(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot, bus: InProcessBus
) -> None:
    price = {
        "customer_id": str(acme.id),
        "rate_code": "TECH",
        "currency": "USD",
        "unit_price": "80",
    }
    response = await api.put("/v1/rate-cards", json=price, headers=auth(Role.AR_COORDINATOR))
    assert response.status_code == 200, response.text
    card = (
        await api.get(
            "/v1/rate-cards", params={"customer_id": str(acme.id)}, headers=auth(Role.SALES)
        )
    ).json()
    assert [(p["rate_code"], p["unit_price"]) for p in card] == [("TECH", "80")]
    await deliver(bus, revised(acme, 2, credit_hold=True))
    body = ticket_body(acme.id, po_number=None)
    body["lines"][0]["rate_code"] = "TECH"

    ticket = await post_ticket(api, auth, body)
    assert ticket["status"] == "held"
    assert ticket["hold_reasons"] == [
        "missing document: time_sheet",
        "PO number required by the customer's billing profile",
        "line 1: price 85 differs from the rate card's 80 for TECH",
        "customer is on credit hold",
    ]


async def test_lifting_a_credit_hold_reviews_held_tickets_again(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot, bus: InProcessBus
) -> None:
    await deliver(bus, revised(acme, 2, credit_hold=True))
    ticket = await post_ticket(api, auth, ticket_body(acme.id))
    await attach(api, auth, ticket["id"], "time_sheet")
    await deliver(bus, revised(acme, 3, credit_hold=False))

    after = (await api.get(f"/v1/tickets/{ticket['id']}", headers=auth(Role.AUDITOR))).json()
    assert after["status"] == "ready"


async def test_supervisor_releases_a_hold_with_a_reason_and_it_is_audited(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot
) -> None:
    ticket = await post_ticket(api, auth, ticket_body(acme.id))
    path = f"/v1/tickets/{ticket['id']}/release"
    reason = {"reason": "time sheet signed on paper, customer confirmed"}

    refused = await api.post(path, json=reason, headers=auth(Role.AR_COORDINATOR))
    released = await api.post(path, json=reason, headers=auth(Role.AR_SUPERVISOR, subject="sam"))
    assert refused.status_code == 403
    assert released.status_code == 200, released.text
    assert (released.json()["status"], released.json()["released_by"]) == ("ready", "sam")
    again = await api.post(path, json=reason, headers=auth(Role.AR_SUPERVISOR))
    assert again.status_code == 409
    trail = (
        await api.get(f"/v1/tickets/{ticket['id']}/history", headers=auth(Role.AUDITOR))
    ).json()
    assert [e["action"] for e in trail] == [
        "ticket_received",
        "ticket_reviewed",
        "ticket_hold_released",
    ]
    assert (trail[-1]["actor"], trail[-1]["reason"]) == ("sam", reason["reason"])


async def test_same_ticket_twice_is_received_once(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot
) -> None:
    body = ticket_body(acme.id)
    first = await post_ticket(api, auth, body)
    repeat = await api.post("/v1/tickets", json=body, headers=auth(Role.INTEGRATION))
    changed = await api.post(
        "/v1/tickets", json=body | {"po_number": "PO-other"}, headers=auth(Role.INTEGRATION)
    )
    assert (repeat.status_code, repeat.json()["id"]) == (200, first["id"])
    assert changed.status_code == 409
    listed = (await api.get("/v1/tickets", headers=auth(Role.AUDITOR))).json()
    assert [t["id"] for t in listed["items"]] == [first["id"]]


async def test_bad_tickets_are_refused_with_the_reason_and_nothing_written(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot, bus: InProcessBus
) -> None:
    no_price = ticket_body(acme.id)
    del no_price["lines"][0]["unit_price"]
    cases = {
        "unknown customer": (ticket_body(uuid.uuid4()), "unknown customer"),
        "currency": (ticket_body(acme.id, currency="EUR"), "billed in USD"),
        "no price": (no_price, None),
    }
    for name, (body, detail) in cases.items():
        response = await api.post("/v1/tickets", json=body, headers=auth(Role.INTEGRATION))
        assert response.status_code == 422, name
        assert response.headers["content-type"] == "application/problem+json"
        if detail:
            assert detail in response.json()["detail"], name
        else:
            assert response.json()["errors"][0]["field"] == "body.lines.0.unit_price"
    await deliver(bus, revised(acme, 2, status=CustomerStatus.INACTIVE))
    inactive = await api.post(
        "/v1/tickets", json=ticket_body(acme.id), headers=auth(Role.INTEGRATION)
    )
    assert inactive.status_code == 422 and "inactive" in inactive.json()["detail"]
    assert (await api.get("/v1/tickets", headers=auth(Role.AUDITOR))).json()["items"] == []


async def test_documents_of_wrong_type_or_too_large_are_refused(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot, monkeypatch
) -> None:
    ticket = await post_ticket(api, auth, ticket_body(acme.id))
    path = f"/v1/tickets/{ticket['id']}/documents"
    text_file = await api.post(
        path,
        data={"kind": "time_sheet"},
        files={"file": ("t.txt", b"hello", "text/plain")},
        headers=auth(Role.SALES),
    )
    wrong_kind = await api.post(
        path,
        data={"kind": "selfie"},
        files={"file": ("t.pdf", b"%PDF-1", "application/pdf")},
        headers=auth(Role.SALES),
    )
    big = b"%PDF-" + b"x" * (10 * 2**20)
    too_large = await api.post(
        path,
        data={"kind": "time_sheet"},
        files={"file": ("t.pdf", big, "application/pdf")},
        headers=auth(Role.SALES),
    )
    assert (text_file.status_code, wrong_kind.status_code, too_large.status_code) == (422, 422, 413)
    assert (await api.get(path, headers=auth(Role.AUDITOR))).json() == []


async def test_document_is_stored_and_retrievable(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot
) -> None:
    ticket = await ready_ticket(api, auth, ticket_body(acme.id))
    listed = (
        await api.get(f"/v1/tickets/{ticket['id']}/documents", headers=auth(Role.AUDITOR))
    ).json()
    assert [d["kind"] for d in listed] == ["time_sheet"]
    download = await api.get(
        f"/v1/tickets/{ticket['id']}/documents/{listed[0]['id']}", headers=auth(Role.AUDITOR)
    )
    assert (download.status_code, download.content[:5]) == (200, b"%PDF-")


async def test_document_with_a_non_latin_name_is_downloadable_under_that_name(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot
) -> None:
    ticket = await post_ticket(api, auth, ticket_body(acme.id))
    uploaded = await api.post(
        f"/v1/tickets/{ticket['id']}/documents",
        data={"kind": "time_sheet"},
        files={"file": ("报告.pdf", PDF, "application/pdf")},
        headers=auth(Role.SALES),
    )
    assert uploaded.status_code == 201, uploaded.text
    download = await api.get(
        f"/v1/tickets/{ticket['id']}/documents/{uploaded.json()['id']}",
        headers=auth(Role.AUDITOR),
    )
    assert (download.status_code, download.content) == (200, PDF)
    # RFC 6266: an ASCII fallback, and the exact name in UTF-8 (RFC 5987) for every browser.
    assert download.headers["content-disposition"] == (
        "attachment; filename=\"__.pdf\"; filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf"
    )


async def test_stale_unbilled_tickets_are_a_query_away(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot
) -> None:
    old = await post_ticket(api, auth, ticket_body(acme.id, closed_at="2020-01-01T00:00:00Z"))
    await post_ticket(api, auth, ticket_body(acme.id, closed_at=utc_now().isoformat()))
    query = {
        "unbilled": "true",
        "min_age_days": 30,
        "business_district": "permian",
        "customer_id": str(acme.id),
        "status": "held",
    }
    stale = (await api.get("/v1/tickets", params=query, headers=auth(Role.AUDITOR))).json()
    assert [t["id"] for t in stale["items"]] == [old["id"]]


def _sales_message(payload: dict, *, key: str) -> BusMessage:
    envelope = EventEnvelope(
        type=SalesTicketClosed.event_type,
        version=1,
        producer="sales",
        customer_id=key,
        aggregate_id=payload.get("ticket_number", "?"),
        payload=payload,
    )
    return BusMessage(
        topic=SALES_TOPIC,
        key=key,
        value=envelope.to_bytes(),
        headers=(("event_type", envelope.type.encode()),),
    )


async def test_ticket_closed_event_from_sales_is_received_like_the_api(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot, bus: InProcessBus
) -> None:
    body = ticket_body(acme.id)
    await bus.publish([_sales_message(body, key=str(acme.id))] * 2)

    listed = (await api.get("/v1/tickets", headers=auth(Role.AUDITOR))).json()["items"]
    assert [(t["ticket_number"], t["status"]) for t in listed] == [(body["ticket_number"], "held")]
    assert not bus.retained[dead_letter_topic(SALES_TOPIC)]


async def test_invalid_ticket_closed_event_is_dead_lettered_with_the_reason(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot, bus: InProcessBus
) -> None:
    unknown = ticket_body(uuid.uuid4())
    no_lines = ticket_body(acme.id, lines=[])
    first = ticket_body(acme.id)
    changed = first | {"po_number": "PO-changed"}
    await bus.publish(
        [
            _sales_message(unknown, key="x"),
            _sales_message(no_lines, key="y"),
            _sales_message(first, key="z"),
            _sales_message(changed, key="z"),
        ]
    )

    dead = bus.retained[dead_letter_topic(SALES_TOPIC)]
    errors = [m.header("dlq.error") or "" for m in dead]
    assert len(dead) == 3
    assert "unknown customer" in errors[0] and "not-billable" in errors[0]
    assert "lines" in errors[1]
    assert "conflict" in errors[2] and "other content" in errors[2]
    listed = (await api.get("/v1/tickets", headers=auth(Role.AUDITOR))).json()["items"]
    assert [(t["ticket_number"], t["po_number"]) for t in listed] == [
        (first["ticket_number"], "PO-77")
    ]


async def test_a_ticket_closed_beyond_the_tolerance_ahead_is_refused(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot, bus: InProcessBus
) -> None:
    soon = ticket_body(acme.id, closed_at=(utc_now() + timedelta(days=2)).isoformat())
    await post_ticket(api, auth, soon)
    typo = ticket_body(acme.id, closed_at="2099-12-01T17:00:00Z")
    refused = await api.post("/v1/tickets", json=typo, headers=auth(Role.INTEGRATION))
    assert refused.status_code == 422, refused.text
    assert "closed_at 2099-12-01 is after" in refused.json()["detail"]

    await bus.publish([_sales_message(typo, key=str(acme.id))])

    async def dead_letters() -> list:
        return bus.retained[dead_letter_topic(SALES_TOPIC)]

    [dead] = await eventually(dead_letters)
    assert (dead.header("dlq.error") or "").startswith("date-too-far-ahead: closed_at 2099-12-01")
    listed = (await api.get("/v1/tickets", headers=auth(Role.AUDITOR))).json()["items"]
    assert [t["ticket_number"] for t in listed] == [soon["ticket_number"]]
