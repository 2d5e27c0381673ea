"""The customers service stamps the changes its routes make with the service's clock."""

from datetime import UTC, datetime

import httpx

from shared.auth import Role
from shared.clock import Clock
from shared.service import Service
from tests.conftest import AuthHeaders
from tests.support import new_customer

COORDINATOR = Role.AR_COORDINATOR
THEN = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)


class StoppedClock(Clock):
    """A clock that does not follow the wall clock, so only a read through it shows THEN."""

    def now(self) -> datetime:
        return THEN


async def _register(api: httpx.AsyncClient, auth: AuthHeaders) -> str:
    response = await api.post("/v1/customers", json=new_customer(), headers=auth(COORDINATOR))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def test_a_change_through_the_api_is_stamped_by_the_service_clock(
    customers_service: Service, customers_api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    customer_id = await _register(customers_api, auth)
    customers_service.clock = StoppedClock()
    url = f"/v1/customers/{customer_id}"
    patched = await customers_api.patch(url, json={"dba": "New"}, headers=auth(COORDINATOR))
    assert patched.status_code == 200, patched.text
    assert datetime.fromisoformat(patched.json()["updated_at"]) == THEN
    item = await customers_api.put(
        f"{url}/onboarding/w9", json={"status": "received"}, headers=auth(COORDINATOR)
    )
    assert item.status_code == 200, item.text
    assert datetime.fromisoformat(item.json()["updated_at"]) == THEN
