"""A supervisor reopens the last closed month with a reason: `PeriodReopened` tells the posters,
the month can close again, and every month before it stays closed."""

import json
from datetime import timedelta

import httpx

from shared.auth import Role
from shared.bus import InProcessBus
from shared.clock import Clock
from shared.events.catalog import topic_for
from tests.conftest import AuthHeaders
from tests.support import eventually

TODAY = Clock().today()
LAST_MONTH = (TODAY.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
MONTH_BEFORE = (TODAY.replace(day=1) - timedelta(days=32)).strftime("%Y-%m")
REASON = {"reason": "the rebill of INV-2026-000412 was missed"}
# The close checklist is not this test's subject (test_close_checklist's is).
OVERRIDE = {"override_reason": "checklist kept on paper"}


async def test_only_a_supervisor_reopens_the_last_closed_month_with_a_reason(
    api: httpx.AsyncClient, auth: AuthHeaders, ledger_bus: InProcessBus
) -> None:
    supervisor = auth(Role.AR_SUPERVISOR, subject="sam")
    for month in (MONTH_BEFORE, LAST_MONTH):
        closed = await api.post(f"/v1/periods/{month}/close", json=OVERRIDE, headers=supervisor)
        assert closed.status_code == 201, closed.text
    reopen = f"/v1/periods/{LAST_MONTH}/reopen"

    coordinator = auth(Role.AR_COORDINATOR)
    assert (await api.post(reopen, json=REASON, headers=coordinator)).status_code == 403
    assert (await api.post(reopen, json={"reason": ""}, headers=supervisor)).status_code == 422
    older = await api.post(f"/v1/periods/{MONTH_BEFORE}/reopen", json=REASON, headers=supervisor)
    assert older.status_code == 422 and LAST_MONTH in older.json()["detail"]
    open_month = await api.post(
        f"/v1/periods/{TODAY:%Y-%m}/reopen", json=REASON, headers=supervisor
    )
    assert open_month.status_code == 409

    reopened = await api.post(reopen, json=REASON, headers=supervisor)
    assert reopened.status_code == 200, reopened.text
    assert (reopened.json()["period"], reopened.json()["closed_by"]) == (LAST_MONTH, "sam")
    periods = (await api.get("/v1/periods", headers=auth(Role.AUDITOR))).json()
    assert [p["period"] for p in periods] == [MONTH_BEFORE]

    async def published() -> list[dict[str, object]]:
        return [
            json.loads(m.value)
            for m in ledger_bus.retained[topic_for("collections")]
            if m.header("event_type") == "period.reopened"
        ]

    [event] = await eventually(published)
    assert (event["customer_id"], event["payload"]) == (
        "period",
        {"period": LAST_MONTH, "reopened_by": "sam", "reason": REASON["reason"]},
    )
    # It closes again like any month.
    again = await api.post(f"/v1/periods/{LAST_MONTH}/close", json=OVERRIDE, headers=supervisor)
    assert again.status_code == 201, again.text
