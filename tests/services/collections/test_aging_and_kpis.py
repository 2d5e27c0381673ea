"""The hand-computed scenario through the API on SQLite: aging as of several dates and the KPIs."""

import httpx
import pytest

from shared.auth import Role
from shared.bus import InProcessBus
from shared.events.catalog import dead_letter_topic, topic_for
from tests.conftest import AuthHeaders
from tests.services.collections.books import publish
from tests.services.collections.scenario import (
    EXPECTED_AGING,
    EXPECTED_KPIS,
    Scenario,
    bucket_view,
    plain,
)


@pytest.fixture
async def scenario(ledger_bus: InProcessBus, api: httpx.AsyncClient) -> Scenario:
    books = Scenario()
    await publish(ledger_bus, *books.events())
    for producer in ("customers", "invoicing", "payments"):
        assert not ledger_bus.retained[dead_letter_topic(topic_for(producer))]
    return books


@pytest.mark.parametrize("as_of", sorted(EXPECTED_AGING))
async def test_aging_as_of_a_date_counts_only_what_was_dated_by_then(
    api: httpx.AsyncClient, auth: AuthHeaders, scenario: Scenario, as_of: object
) -> None:
    response = await api.get("/v1/aging", params={"as_of": str(as_of)}, headers=auth(Role.AUDITOR))
    assert response.status_code == 200, response.text
    [usd] = response.json()["totals"]
    assert bucket_view(usd) == EXPECTED_AGING[as_of]  # type: ignore[index]


async def test_kpis_match_the_hand_computed_dso_family_and_cei(
    api: httpx.AsyncClient, auth: AuthHeaders, scenario: Scenario
) -> None:
    response = await api.get(
        "/v1/kpis", params={"period": "2026-10", "trend": 2}, headers=auth(Role.AR_SUPERVISOR)
    )
    assert response.status_code == 200, response.text
    months = {m["period"]: m for m in response.json()["months"]}
    for period, expected in EXPECTED_KPIS.items():
        assert {k: plain(months[period][k]) for k in expected} == {
            k: plain(v) for k, v in expected.items()
        }
