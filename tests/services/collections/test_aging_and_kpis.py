"""The hand-computed scenario through the API on SQLite: aging as of several dates and the KPIs."""

from decimal import Decimal

import httpx
import pytest

from shared.auth import Role
from shared.bus import InProcessBus
from shared.events.catalog import dead_letter_topic, topic_for
from shared.service import Service
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


async def test_kpis_by_district_show_each_districts_target_and_status(
    api: httpx.AsyncClient, auth: AuthHeaders, scenario: Scenario, collections: Service
) -> None:
    collections.settings.dso_targets = {"permian": Decimal(50)}  # type: ignore[attr-defined]
    response = await api.get(
        "/v1/kpis",
        params={"period": "2026-10", "trend": 1, "group_by": "district"},
        headers=auth(Role.AR_SUPERVISOR),
    )
    rows = {m["group"]: m for m in response.json()["months"]}
    # Permian: AR 1000 + 1500 + 3000 = 5500 on October sales of 3000 → 5500 / 3000 × 31.
    assert (plain(rows["permian"]["dso_standard"]), rows["permian"]["dso_target"]) == ("56.8", "50")
    assert rows["permian"]["on_target"] is False
    assert (plain(rows["eagle_ford"]["dso_standard"]), rows["eagle_ford"]["on_target"]) == (
        "31",
        None,
    )


async def test_kpis_by_customer_count_each_customers_own_sales(
    api: httpx.AsyncClient, auth: AuthHeaders, scenario: Scenario
) -> None:
    response = await api.get(
        "/v1/kpis",
        params={"period": "2026-09", "trend": 1, "group_by": "customer"},
        headers=auth(Role.AUDITOR),
    )
    rows = {m["group"]: m for m in response.json()["months"]}
    permian = rows[str(scenario.permian.customer_id)]
    assert (plain(permian["credit_sales"]), plain(permian["ending_ar"])) == ("1200", "2600")


async def test_aging_by_invoice_date_ages_from_the_invoice_not_the_due_date(
    api: httpx.AsyncClient, auth: AuthHeaders, scenario: Scenario
) -> None:
    params = {"as_of": "2026-10-31", "basis": "invoice"}
    [usd] = (await api.get("/v1/aging", params=params, headers=auth(Role.AUDITOR))).json()["totals"]
    # INV6 10-01 (30 days) + INV4 10-15 (16); INV3 09-10 (51); INV2 08-20 (72).
    assert bucket_view(usd) == {"1-30": "4200", "31-60": "1500", "61-90": "1000", "credits": "-200"}


async def test_aging_rows_per_customer_and_sales_rep_add_up_to_the_totals(
    api: httpx.AsyncClient, auth: AuthHeaders, scenario: Scenario
) -> None:
    def rows(report: dict[str, list[dict[str, str]]]) -> dict[str, tuple[str, str]]:
        return {
            r["group"]: (plain(r["open_ar"]), plain(r["unapplied_credits"])) for r in report["rows"]
        }

    by_customer = (
        await api.get(
            "/v1/aging",
            params={"as_of": "2026-10-31", "group_by": "customer"},
            headers=auth(Role.AUDITOR),
        )
    ).json()
    assert rows(by_customer) == {
        str(scenario.permian.customer_id): ("5500", "0"),
        str(scenario.eagle.customer_id): ("1200", "-200"),
    }
    assert sorted(r["name"] for r in by_customer["rows"]) == [
        "C000001 Permian Basin Services LLC",
        "C000002 Eagle Ford Hauling",
    ]
    by_rep = (
        await api.get(
            "/v1/aging",
            params={"as_of": "2026-10-31", "group_by": "sales_rep"},
            headers=auth(Role.AUDITOR),
        )
    ).json()
    assert rows(by_rep) == {"rep-jones": ("5500", "0"), "rep-smith": ("1200", "-200")}
