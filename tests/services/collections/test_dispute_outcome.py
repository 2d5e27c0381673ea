"""Resolving a dispute records whom it was settled for, in the dispute, its event and its
history; a field the API does not know is refused rather than dropped."""

import json

import httpx

from shared.auth import Role
from shared.bus import InProcessBus
from shared.events.catalog import topic_for
from tests.conftest import AuthHeaders
from tests.services.collections.books import overdue_customer, publish
from tests.support import eventually


async def test_the_outcome_is_part_of_the_resolution(
    api: httpx.AsyncClient, auth: AuthHeaders, ledger_bus: InProcessBus
) -> None:
    coordinator = auth(Role.AR_COORDINATOR)
    books, events = overdue_customer("C-OUT", (40, "1000"))
    await publish(ledger_bus, *events)
    opened = await api.post(
        "/v1/disputes",
        headers=coordinator,
        json={
            "customer_id": str(books.customer_id),
            "invoice_id": str(events[1].invoice_id),
            "amount": "400",
            "reason": "Hours disputed",
            "department": "operations",
        },
    )
    assert opened.status_code == 201, opened.text
    dispute = opened.json()["id"]

    without = await api.post(
        f"/v1/disputes/{dispute}/resolve", headers=coordinator, json={"resolution": "Agreed"}
    )
    assert without.status_code == 422
    stray = await api.post(
        f"/v1/disputes/{dispute}/resolve",
        headers=coordinator,
        json={"outcome": "customer", "resolution": "Agreed", "settled_for": "customer"},
    )
    assert stray.status_code == 422
    assert "settled_for" in stray.text

    resolved = await api.post(
        f"/v1/disputes/{dispute}/resolve",
        headers=coordinator,
        json={"outcome": "customer", "resolution": "Hours were wrong: credit memo follows"},
    )
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["outcome"] == "customer"

    history = (await api.get(f"/v1/disputes/{dispute}/history", headers=coordinator)).json()
    assert [entry["action"] for entry in history] == ["dispute.opened", "dispute.resolved"]
    assert history[1]["changes"]["outcome"] == "customer"
    assert history[1]["reason"] == "Hours were wrong: credit memo follows"

    async def resolved_events() -> list[dict[str, object]]:
        return [
            json.loads(m.value)["payload"]
            for m in ledger_bus.retained[topic_for("collections")]
            if m.header("event_type") == "dispute.resolved"
        ]

    [event] = await eventually(resolved_events)
    assert event["outcome"] == "customer"


async def test_unknown_fields_are_refused_in_every_body_of_collections(
    api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    coordinator = auth(Role.AR_COORDINATOR)
    response = await api.post(
        "/v1/dunning-runs", headers=coordinator, json={"as_of": None, "dry_run": True}
    )
    assert response.status_code == 422
    assert "dry_run" in response.text
