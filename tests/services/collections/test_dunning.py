"""A dunning run sends each customer the stage its oldest undisputed overdue item calls for, and
sends nothing to customers under a live promise, fully disputed, or owing under the minimum."""

import email
import email.policy
import io
from datetime import timedelta
from pathlib import Path

import httpx
from pypdf import PdfReader

from shared.auth import Role
from shared.bus import BusMessage, InProcessBus
from shared.clock import Clock
from shared.events.catalog import topic_for
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


async def test_dunning_run_sends_the_right_stage_to_the_right_customers_only(
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
    assert sent == {str(b.customer_id): stage for stage, b in enumerate(stages.values(), start=1)}
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
    assert final["Subject"] == "Final notice: account FINAL"
    [body, attachment] = [part for part in final.walk() if not part.is_multipart()]
    assert "FINAL NOTICE" in body.get_content()
    pdf_text = PdfReader(io.BytesIO(attachment.get_content())).pages[0].extract_text()
    assert "Final notice" in pdf_text and "700.00" in pdf_text
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
