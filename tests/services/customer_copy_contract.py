"""What every service's own copy of the customers promises, whatever facts it keeps."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import ClassVar

import httpx
import pytest

from services.customers.service import definition as customers
from shared.auth import ALL_ROLES, Role, TokenAuthority
from shared.bus import InProcessBus
from shared.events.customers import CustomerRegistered
from shared.service import ServiceDefinition
from shared.settings import PlatformSettings
from tests.conftest import AuthHeaders
from tests.services.customer_events import (
    customer,
    deliver,
    envelope,
    once_copied,
    revised,
    service_api,
)
from tests.support import new_customer


class CustomerCopyContract:
    """Subclass with the service's `definition` and its copy's collection `path`; the subclass's
    own tests get the same fixtures: `bus` (where customer events arrive), `api` (the service).
    """

    definition: ClassVar[ServiceDefinition]
    path: ClassVar[str]

    @pytest.fixture
    def bus(self) -> InProcessBus:
        return InProcessBus()

    @pytest.fixture
    async def api(
        self, tmp_path: Path, platform: PlatformSettings, tokens: TokenAuthority, bus: InProcessBus
    ) -> AsyncIterator[httpx.AsyncClient]:
        async with service_api(self.definition, tmp_path, platform, tokens, bus) as client:
            yield client

    async def test_stale_update_is_ignored(
        self, api: httpx.AsyncClient, auth: AuthHeaders, bus: InProcessBus
    ) -> None:
        acme = customer()
        await deliver(
            bus, CustomerRegistered(customer=acme), revised(acme, 3, legal_name="Acme Three")
        )
        await deliver(bus, revised(acme, 2, legal_name="Acme Two"))

        copy = (await api.get(f"{self.path}/{acme.id}", headers=auth(Role.AR_COORDINATOR))).json()
        assert (copy["revision"], copy["legal_name"]) == (3, "Acme Three")

    async def test_same_event_delivered_twice_has_one_effect(
        self, api: httpx.AsyncClient, auth: AuthHeaders, bus: InProcessBus
    ) -> None:
        registered = envelope(CustomerRegistered(customer=customer()))
        await deliver(bus, registered)
        first = (await api.get(self.path, headers=auth(Role.AUDITOR))).json()
        await deliver(bus, registered)

        assert (await api.get(self.path, headers=auth(Role.AUDITOR))).json() == first
        assert len(first["items"]) == 1

    async def test_every_role_may_read(
        self, api: httpx.AsyncClient, auth: AuthHeaders, bus: InProcessBus
    ) -> None:
        acme = customer()
        await deliver(bus, CustomerRegistered(customer=acme))
        for role in ALL_ROLES:
            for path in (self.path, f"{self.path}/{acme.id}"):
                assert (await api.get(path, headers=auth(role))).status_code == 200, (role, path)

    async def test_reading_without_a_token_is_401(self, api: httpx.AsyncClient) -> None:
        for path in (self.path, f"{self.path}/{customer().id}"):
            response = await api.get(path)
            assert response.status_code == 401, path
            assert response.headers["content-type"] == "application/problem+json"

    async def test_unknown_customer_is_404_problem(
        self, api: httpx.AsyncClient, auth: AuthHeaders
    ) -> None:
        response = await api.get(f"{self.path}/{customer().id}", headers=auth(Role.AR_COORDINATOR))
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"] == "urn:ar-platform:problem:not-found"

    async def test_customer_registered_in_customers_service_reaches_the_copy(
        self,
        tmp_path: Path,
        platform: PlatformSettings,
        tokens: TokenAuthority,
        auth: AuthHeaders,
        api: httpx.AsyncClient,
        bus: InProcessBus,
    ) -> None:
        """The real producer's events, through its outbox and relay, not hand-made ones."""
        async with service_api(customers, tmp_path, platform, tokens, bus) as customers_api:
            response = await customers_api.post(
                "/v1/customers", json=new_customer(), headers=auth(Role.AR_COORDINATOR)
            )
            assert response.status_code == 201, response.text
            created = response.json()
            copy = await once_copied(api, f"{self.path}/{created['id']}", auth(Role.AUDITOR))
        assert {k: copy[k] for k in ("account_number", "legal_name", "revision")} == {
            k: created[k] for k in ("account_number", "legal_name", "revision")
        }
