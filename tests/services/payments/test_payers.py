"""Payments' payers: its own copy of who each customer is, kept from the customer events."""

import httpx

from services.payments.service import definition as payments
from shared.auth import Role
from shared.bus import InProcessBus
from shared.events.customers import CustomerRegistered
from tests.conftest import AuthHeaders
from tests.services.customer_copy_contract import CustomerCopyContract
from tests.services.customer_events import customer, deliver, revised

PAYERS = "/v1/payers"


async def _found(api: httpx.AsyncClient, auth: AuthHeaders, q: str) -> list[str]:
    response = await api.get(PAYERS, params={"q": q}, headers=auth(Role.AR_COORDINATOR))
    assert response.status_code == 200, response.text
    return [payer["legal_name"] for payer in response.json()["items"]]


class TestPayers(CustomerCopyContract):
    definition = payments
    path = PAYERS

    async def test_registered_customer_appears_as_payer(
        self, api: httpx.AsyncClient, auth: AuthHeaders, bus: InProcessBus
    ) -> None:
        acme = customer()
        await deliver(bus, CustomerRegistered(customer=acme))

        payer = (await api.get(f"{PAYERS}/{acme.id}", headers=auth(Role.AR_COORDINATOR))).json()
        assert payer == {
            "id": str(acme.id),
            "account_number": "C000001",
            "revision": 1,
            "legal_name": "Permian Basin Services LLC",
            "dba": "PBS",
            "status": "active",
            "currency": "USD",
        }
        listed = (await api.get(PAYERS, headers=auth(Role.AR_COORDINATOR))).json()
        assert listed == {"items": [payer], "next_cursor": None}

    async def test_finds_payers_by_legal_name_dba_or_account_number(
        self, api: httpx.AsyncClient, auth: AuthHeaders, bus: InProcessBus
    ) -> None:
        await deliver(
            bus,
            CustomerRegistered(
                customer=customer(
                    account_number="C000001", legal_name="Permian Basin Services LLC", dba="PBS"
                )
            ),
            CustomerRegistered(
                customer=customer(
                    account_number="C000002", legal_name="Eagle Ford Hauling Inc", dba=None
                )
            ),
        )

        assert await _found(api, auth, "basin") == ["Permian Basin Services LLC"]
        assert await _found(api, auth, "pbs") == ["Permian Basin Services LLC"]
        assert await _found(api, auth, "c000002") == ["Eagle Ford Hauling Inc"]
        assert await _found(api, auth, "%") == []  # a character to find, not a wildcard

    async def test_newer_revision_changes_the_payer(
        self, api: httpx.AsyncClient, auth: AuthHeaders, bus: InProcessBus
    ) -> None:
        acme = customer()
        await deliver(bus, CustomerRegistered(customer=acme), revised(acme, 2, dba="Permian Pumps"))

        assert await _found(api, auth, "pumps") == ["Permian Basin Services LLC"]
        assert await _found(api, auth, "pbs") == []
