"""Invoicing's billing accounts: its own copy of the customers, kept from the customer events."""

import httpx

from services.invoicing.service import definition as invoicing
from shared.auth import Role
from shared.bus import InProcessBus
from shared.events.customers import CustomerRegistered, CustomerStatus, PaymentTerms
from tests.conftest import AuthHeaders
from tests.services.customer_copy_contract import CustomerCopyContract
from tests.services.customer_events import customer, deliver, revised

ACCOUNTS = "/v1/billing-accounts"


async def _account(api: httpx.AsyncClient, auth: AuthHeaders, customer_id: object) -> dict:
    response = await api.get(f"{ACCOUNTS}/{customer_id}", headers=auth(Role.AR_COORDINATOR))
    assert response.status_code == 200, response.text
    return response.json()


class TestBillingAccounts(CustomerCopyContract):
    definition = invoicing
    path = ACCOUNTS

    async def test_registered_customer_appears_with_its_billing_facts(
        self, api: httpx.AsyncClient, auth: AuthHeaders, bus: InProcessBus
    ) -> None:
        acme = customer()
        await deliver(bus, CustomerRegistered(customer=acme))

        account = await _account(api, auth, acme.id)
        listed = (await api.get(ACCOUNTS, headers=auth(Role.AR_COORDINATOR))).json()
        assert listed == {"items": [account], "next_cursor": None}
        assert (account["account_number"], account["revision"], account["status"]) == (
            "C000001",
            1,
            "active",
        )
        assert account["payment_terms"] == {
            "kind": "net",
            "days": 30,
            "discount_percent": "2",
            "discount_days": 10,
        }  # the discount stays a decimal string, never a float
        assert account["billing_profile"]["grouping"] == "per_po"
        assert account["billing_profile"]["required_documents"] == ["time_sheet"]
        assert [a["postal_code"] for a in account["addresses"]] == ["79701"]
        assert account["exemption_certificates"][0]["expires_on"] == "2027-12-31"

    async def test_newer_revision_changes_the_billing_account(
        self, api: httpx.AsyncClient, auth: AuthHeaders, bus: InProcessBus
    ) -> None:
        acme = customer()
        await deliver(bus, CustomerRegistered(customer=acme))
        terms = PaymentTerms(days=45)
        await deliver(bus, revised(acme, 2, credit_hold=True, payment_terms=terms, addresses=[]))

        account = await _account(api, auth, acme.id)
        assert account["revision"] == 2 and account["credit_hold"] is True
        assert account["payment_terms"]["days"] == 45 and account["addresses"] == []

    async def test_filters_by_district_and_status_a_page_at_a_time(
        self, api: httpx.AsyncClient, auth: AuthHeaders, bus: InProcessBus
    ) -> None:
        await deliver(
            bus,
            *(
                CustomerRegistered(
                    customer=customer(
                        account_number=number, business_district=district, status=status
                    )
                )
                for number, district, status in [
                    ("C000003", "permian", CustomerStatus.ACTIVE),
                    ("C000001", "permian", CustomerStatus.ACTIVE),
                    ("C000002", "eagle_ford", CustomerStatus.ACTIVE),
                    ("C000004", "permian", CustomerStatus.INACTIVE),
                ]
            ),
        )
        query: dict[str, str | int] = {
            "business_district": "permian",
            "status": "active",
            "limit": 1,
        }

        first = (await api.get(ACCOUNTS, params=query, headers=auth(Role.SALES))).json()
        after = query | {"cursor": first["next_cursor"]}
        second = (await api.get(ACCOUNTS, params=after, headers=auth(Role.SALES))).json()
        numbers = [a["account_number"] for a in first["items"] + second["items"]]
        assert numbers == ["C000001", "C000003"]
        assert second["next_cursor"] is None
