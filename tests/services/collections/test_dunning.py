"""A dunning run sends each customer the next letter: a reminder first whatever the age, then one
stage up at a time as far as the oldest undisputed overdue item's age allows, never twice in a
day; it sends nothing to customers under a live promise, fully disputed, or owing under the
minimum, and a partly disputed invoice is dunned for the rest."""

import email
import email.policy
import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from pypdf import PdfReader

from shared.auth import Role
from shared.bus import BusMessage, InProcessBus
from shared.clock import Clock
from shared.events.catalog import topic_for
from shared.events.invoicing import InvoiceIssued
from shared.service import Service
from tests.conftest import AuthHeaders
from tests.services.collections.books import Books, overdue_customer, publish
from tests.support import eventually

# The product's business date (the company's zone), wherever the test session's clock is.
TODAY = Clock().today()


async def _overdue(bus: InProcessBus, name: str, days_past_due: int, amount: str = "700") -> Books:
    books, events = overdue_customer(name, (days_past_due, amount))
    await publish(bus, *events)
    return books


async def test_dunning_run_sends_a_first_letter_to_the_right_customers_only(
    api: httpx.AsyncClient,
    auth: AuthHeaders,
    ledger_bus: InProcessBus,
    collections: Service,
    tmp_path: Path,
) -> None:
    collections.settings.smtp.mail_drop = tmp_path / "mail"  # type: ignore[attr-defined]
    coordinator = auth(Role.AR_COORDINATOR)
    stages = {
        name: await _overdue(ledger_bus, name, days)
        for name, days in [("REMIND", 10), ("SECOND", 45), ("THIRD", 75), ("FINAL", 100)]
    }
    disputed = await _overdue(ledger_bus, "DISPUTED", 50)
    promised = await _overdue(ledger_bus, "PROMISED", 50)
    small = await _overdue(ledger_bus, "SMALL", 40, amount="20.00")
    await _overdue(ledger_bus, "CURRENT", -3)
    [invoice_id] = [i for i in await _invoice_ids(api, coordinator, disputed)]
    assert (
        await api.post(
            "/v1/disputes",
            headers=coordinator,
            json={
                "customer_id": str(disputed.customer_id),
                "invoice_id": invoice_id,
                "reason": "Wrong rate",
                "department": "sales",
            },
        )
    ).status_code == 201
    assert (
        await api.post(
            "/v1/promises",
            headers=coordinator,
            json={
                "customer_id": str(promised.customer_id),
                "amount": "700",
                "promised_on": str(TODAY + timedelta(days=7)),
            },
        )
    ).status_code == 201

    response = await api.post("/v1/dunning-runs", json={}, headers=coordinator)
    assert response.status_code == 200, response.text
    run = response.json()
    sent = {n["customer_id"]: n["stage"] for n in run["sent"]}
    # No letter was sent before, so each is a reminder, however old the debt (issue 13.5).
    assert sent == {str(b.customer_id): 1 for b in stages.values()}
    assert run["skipped"] == {
        str(disputed.customer_id): "disputed",
        str(promised.customer_id): "live_promise",
        str(small.customer_id): "under_minimum",
    }

    letters = {
        m["To"]: m
        for m in (
            email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            for p in (tmp_path / "mail").iterdir()
        )
    }
    assert set(letters) == {f"ap@{name.lower()}.example" for name in stages}
    final = letters["ap@final.example"]
    assert final["Subject"] == "Payment reminder: account FINAL"
    [body, attachment] = [part for part in final.walk() if not part.is_multipart()]
    assert "friendly reminder" in body.get_content()
    assert "FINAL NOTICE" not in body.get_content()
    pdf_text = PdfReader(io.BytesIO(attachment.get_content())).pages[0].extract_text()
    assert "Payment reminder" in pdf_text and "700.00" in pdf_text
    reminder = letters["ap@remind.example"].get_body()
    assert reminder is not None and "friendly reminder" in reminder.get_content()

    async def published() -> list[BusMessage]:
        messages = ledger_bus.retained[topic_for("collections")]
        return [m for m in messages if m.header("event_type") == "dunning_notice.sent"]

    assert len(await eventually(published)) == 4
    history = (
        await api.get(
            "/v1/activities",
            params={"customer_id": str(stages["FINAL"].customer_id)},
            headers=coordinator,
        )
    ).json()["items"]
    assert [a["kind"] for a in history] == ["letter"]


async def _invoice_ids(api: httpx.AsyncClient, headers: dict[str, str], books: Books) -> list[str]:
    items = (
        await api.get(
            "/v1/aging/items", params={"customer_id": str(books.customer_id)}, headers=headers
        )
    ).json()
    return [item["id"] for item in items]


def _mail(folder: Path) -> list[email.message.EmailMessage]:
    return [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)  # type: ignore[misc]
        for p in sorted(folder.iterdir(), key=lambda p: p.stat().st_mtime_ns)
    ]


async def _run(
    api: httpx.AsyncClient, headers: dict[str, str], days_ago: int = 0
) -> dict[str, Any]:
    on = TODAY - timedelta(days=days_ago)
    response = await api.post("/v1/dunning-runs", json={"as_of": str(on)}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_a_second_run_on_the_same_day_sends_no_second_letter(
    api: httpx.AsyncClient,
    auth: AuthHeaders,
    ledger_bus: InProcessBus,
    collections: Service,
    tmp_path: Path,
) -> None:
    collections.settings.smtp.mail_drop = tmp_path / "mail"  # type: ignore[attr-defined]
    coordinator = auth(Role.AR_COORDINATOR)
    books = await _overdue(ledger_bus, "TWICE", 100)
    first, second = await _run(api, coordinator), await _run(api, coordinator)
    assert [n["stage"] for n in first["sent"]] == [1]
    assert second["sent"] == []
    assert second["skipped"] == {str(books.customer_id): "already_sent_today"}
    assert len(_mail(tmp_path / "mail")) == 1
    notices = (await api.get("/v1/dunning-notices", headers=coordinator)).json()["items"]
    assert len(notices) == 1
    messages = ledger_bus.retained[topic_for("collections")]
    assert [m.header("event_type") for m in messages].count("dunning_notice.sent") == 1


async def test_letters_step_up_one_stage_at_a_time_and_say_what_was_sent_before(
    api: httpx.AsyncClient,
    auth: AuthHeaders,
    ledger_bus: InProcessBus,
    collections: Service,
    tmp_path: Path,
) -> None:
    collections.settings.smtp.mail_drop = tmp_path / "mail"  # type: ignore[attr-defined]
    coordinator = auth(Role.AR_COORDINATOR)
    books, events = overdue_customer("STEPS", (100, "700"))  # 70 days past due 30 days ago
    await publish(ledger_bus, *events)
    customer = str(books.customer_id)
    stages = []
    for days_ago in (30, 25, 20, 10, 0):
        run = await _run(api, coordinator, days_ago)
        stages.append([n["stage"] for n in run["sent"]] or run["skipped"][customer])
    assert stages == [[1], "sent_recently", [2], [3], [4]]

    letters = _mail(tmp_path / "mail")
    assert [m["Subject"].split(":")[0] for m in letters] == [
        "Payment reminder",
        "Second notice",
        "Past due notice",
        "Final notice",
    ]
    first = letters[0].get_body()
    assert first is not None and "We wrote to you" not in first.get_content()
    final = letters[-1]
    [body, attachment] = [part for part in final.walk() if not part.is_multipart()]
    text = " ".join(body.get_content().split())
    assert "FINAL NOTICE" in text
    assert (
        f"We wrote to you about these invoices in our payment reminder of "
        f"{TODAY - timedelta(days=30)}, our second notice of {TODAY - timedelta(days=20)} and "
        f"our past due notice of {TODAY - timedelta(days=10)}."
    ) in text
    pdf_text = PdfReader(io.BytesIO(attachment.get_content())).pages[0].extract_text()
    assert "Final notice" in pdf_text and "700.00" in pdf_text

    # The old invoice paid and a newer one overdue: a new round starts with a reminder.
    payment = books.payment("700", TODAY)
    newer = books.invoice("300", TODAY - timedelta(days=45))
    old = events[1]
    assert isinstance(old, InvoiceIssued)
    await publish(ledger_bus, newer, payment, books.apply(payment, old, "700", TODAY))
    again = await _run(api, coordinator)
    assert [(n["stage"], n["invoice_ids"]) for n in again["sent"]] == [(1, [str(newer.invoice_id)])]


async def test_a_partly_disputed_invoice_is_dunned_for_the_rest_and_the_run_says_so(
    api: httpx.AsyncClient,
    auth: AuthHeaders,
    ledger_bus: InProcessBus,
    collections: Service,
    tmp_path: Path,
) -> None:
    collections.settings.smtp.mail_drop = tmp_path / "mail"  # type: ignore[attr-defined]
    coordinator = auth(Role.AR_COORDINATOR)
    books = await _overdue(ledger_bus, "PARTLY", 50, amount="2000.00")
    [invoice_id] = await _invoice_ids(api, coordinator, books)
    dispute = await api.post(
        "/v1/disputes",
        headers=coordinator,
        json={
            "customer_id": str(books.customer_id),
            "invoice_id": invoice_id,
            "amount": "500.00",
            "reason": "Standby hours disputed",
            "department": "operations",
        },
    )
    assert dispute.status_code == 201, dispute.text
    run = await _run(api, coordinator)
    [notice] = run["sent"]
    assert (notice["customer_id"], notice["amount_past_due"]) == (str(books.customer_id), "1500.00")
    assert run["set_aside"] == {
        str(books.customer_id): [
            {"invoice_id": invoice_id, "currency": "USD", "amount": "500.00", "reason": "disputed"}
        ]
    }
    [letter] = _mail(tmp_path / "mail")
    [body, attachment] = [part for part in letter.walk() if not part.is_multipart()]
    text = " ".join(body.get_content().split())
    assert "1,500.00 USD" in text
    assert "We have left out 500.00 USD on INV-000001, which you have disputed with us" in text
    pdf_text = PdfReader(io.BytesIO(attachment.get_content())).pages[0].extract_text()
    assert "1,500.00" in pdf_text
