"""Collections' accounts: its own copy of the customers, kept from the customer events."""

import uuid

import httpx

from services.collections.service import definition as collections
from shared.auth import Role
from shared.bus import InProcessBus
from shared.events.customers import Contact, CustomerRegistered
from tests.conftest import AuthHeaders
from tests.services.customer_copy_contract import CustomerCopyContract
from tests.services.customer_events import customer, deliver, revised

ACCOUNTS = "/v1/collection-accounts"


def _contact(name: str, email: str) -> Contact:
    return Contact(id=uuid.uuid4(), name=name, email=email, role="Accounts payable")


class TestCollectionAccounts(CustomerCopyContract):
    definition = collections
    path = ACCOUNTS

    async def test_registered_customer_appears_with_what_collections_needs(
        self, api: httpx.AsyncClient, auth: AuthHeaders, bus: InProcessBus
    ) -> None:
        acme = customer(contacts=[_contact("Dana AP", "ap@acme.example")])
        await deliver(bus, CustomerRegistered(customer=acme))

        account = (await api.get(f"{ACCOUNTS}/{acme.id}", headers=auth(Role.AR_COORDINATOR))).json()
        listed = (await api.get(ACCOUNTS, headers=auth(Role.AR_COORDINATOR))).json()
        assert listed == {"items": [account], "next_cursor": None}
        assert (account["account_number"], account["legal_name"], account["status"]) == (
            "C000001",
            "Permian Basin Services LLC",
            "active",
        )
        assert (account["currency"], account["business_district"], account["sales_rep"]) == (
            "USD",
            "permian",
            "rep-jones",
        )
        assert account["payment_terms"] == {
            "kind": "net",
            "days": 30,
            "discount_percent": "2",
            "discount_days": 10,
        }  # the discount stays a decimal string, never a float
        assert [(c["name"], c["email"]) for c in account["contacts"]] == [
            ("Dana AP", "ap@acme.example")
        ]

    async def test_newer_revision_changes_who_is_chased_and_by_whom(
        self, api: httpx.AsyncClient, auth: AuthHeaders, bus: InProcessBus
    ) -> None:
        acme = customer(contacts=[_contact("Dana AP", "ap@acme.example")])
        await deliver(bus, CustomerRegistered(customer=acme))
        new_contact = _contact("Sam Payables", "pay@acme.example")
        await deliver(bus, revised(acme, 2, sales_rep="rep-smith", contacts=[new_contact]))

        account = (await api.get(f"{ACCOUNTS}/{acme.id}", headers=auth(Role.AR_COORDINATOR))).json()
        assert (account["revision"], account["sales_rep"]) == (2, "rep-smith")
        assert [c["email"] for c in account["contacts"]] == ["pay@acme.example"]

    async def test_filters_by_district_and_sales_rep_a_page_at_a_time(
        self, api: httpx.AsyncClient, auth: AuthHeaders, bus: InProcessBus
    ) -> None:
        await deliver(
            bus,
            *(
                CustomerRegistered(
                    customer=customer(
                        account_number=number, business_district=district, sales_rep=rep
                    )
                )
                for number, district, rep in [
                    ("C000003", "permian", "rep-jones"),
                    ("C000001", "permian", "rep-jones"),
                    ("C000002", "permian", "rep-smith"),
                    ("C000004", "eagle_ford", "rep-jones"),
                ]
            ),
        )
        headers = auth(Role.SALES)
        query: dict[str, str | int] = {"business_district": "permian", "sales_rep": "rep-jones"}

        first = (await api.get(ACCOUNTS, params=query | {"limit": 1}, headers=headers)).json()
        after = query | {"limit": 1, "cursor": first["next_cursor"]}
        second = (await api.get(ACCOUNTS, params=after, headers=headers)).json()
        numbers = [a["account_number"] for a in first["items"] + second["items"]]
        assert numbers == ["C000001", "C000003"]
        assert second["next_cursor"] is None
