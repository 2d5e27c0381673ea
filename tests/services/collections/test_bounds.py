"""Dates outside years 1900-2999 are a 422 problem at the edge, never a 500 from date arithmetic."""

import httpx
import pytest

from shared.auth import Role
from shared.bus import InProcessBus
from tests.conftest import AuthHeaders
from tests.services.collections.books import overdue_customer, publish


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/aging", {"as_of": "0001-01-01"}),
        ("/v1/aging/items", {"as_of": "0001-01-01"}),
        ("/v1/unbilled", {"as_of": "0001-01-01"}),
        ("/v1/worklist", {"as_of": "9999-12-31"}),
        ("/v1/kpis", {"period": "0001-01"}),
        ("/v1/ledger/tie-out", {"as_of": "9999-12-31"}),
        ("/v1/reports/over-60-days", {"as_of": "9999-12-31"}),
        ("/v1/promises", {"as_of": "1899-12-31"}),
    ],
)
async def test_a_date_out_of_bounds_is_a_422_problem(
    api: httpx.AsyncClient,
    auth: AuthHeaders,
    ledger_bus: InProcessBus,
    path: str,
    params: dict[str, str],
) -> None:
    _, events = overdue_customer("BOUNDS", (45, "1000"))
    await publish(ledger_bus, *events)
    response = await api.get(path, params=params, headers=auth(Role.AR_COORDINATOR))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "between 1900-01-01 and 2999-12-31" in response.text or "1900 to 2999" in response.text


async def test_bodies_and_paths_naming_a_date_out_of_bounds_are_a_422(
    api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    coordinator = auth(Role.AR_COORDINATOR)
    run = await api.post("/v1/dunning-runs", json={"as_of": "9999-12-31"}, headers=coordinator)
    assert run.status_code == 422, run.text
    close = await api.post("/v1/periods/0001-01/close", headers=auth(Role.AR_SUPERVISOR))
    assert close.status_code == 422, close.text
    bounded = await api.get("/v1/kpis", params={"period": "2999-12"}, headers=coordinator)
    assert bounded.status_code == 200, bounded.text
