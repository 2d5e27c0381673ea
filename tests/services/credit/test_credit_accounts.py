"""Credit's accounts: its own copy of the customers, kept from the customer events."""

from datetime import UTC, datetime

import httpx

from services.credit.service import definition as credit
from shared.auth import Role
from shared.bus import InProcessBus
from shared.events.customers import CustomerRegistered, CustomerStatus, OnboardingItem
from tests.conftest import AuthHeaders
from tests.services.customer_copy_contract import CustomerCopyContract
from tests.services.customer_events import customer, deliver, revised

ACCOUNTS = "/v1/credit-accounts"
RECEIVED_AT = datetime(2026, 11, 2, 15, 30, tzinfo=UTC)
APPLICATION_IN = OnboardingItem(
    item="credit_application", status="received", updated_at=RECEIVED_AT
)
TERMS_PENDING = OnboardingItem(item="signed_terms", status="pending")


class TestCreditAccounts(CustomerCopyContract):
    definition = credit
    path = ACCOUNTS

    async def test_registered_prospect_appears_with_its_onboarding_checklist(
        self, api: httpx.AsyncClient, auth: AuthHeaders, bus: InProcessBus
    ) -> None:
        prospect = customer(
            status=CustomerStatus.PROSPECT, onboarding=[APPLICATION_IN, TERMS_PENDING]
        )
        await deliver(bus, CustomerRegistered(customer=prospect))

        headers = auth(Role.CREDIT_MANAGER)
        account = (await api.get(f"{ACCOUNTS}/{prospect.id}", headers=headers)).json()
        listed = (await api.get(ACCOUNTS, headers=headers)).json()
        assert listed == {"items": [account], "next_cursor": None}
        assert (account["account_number"], account["legal_name"]) == (
            "C000001",
            "Permian Basin Services LLC",
        )
        assert (account["status"], account["credit_hold"]) == ("prospect", False)
        assert (account["currency"], account["business_district"]) == ("USD", "permian")
        assert account["onboarding"] == [
            {
                "item": "credit_application",
                "status": "received",
                "updated_at": "2026-11-02T15:30:00Z",
            },
            {"item": "signed_terms", "status": "pending", "updated_at": None},
        ]

    async def test_newer_revision_shows_the_hold_and_the_checklist_as_they_are_now(
        self, api: httpx.AsyncClient, auth: AuthHeaders, bus: InProcessBus
    ) -> None:
        acme = customer(onboarding=[APPLICATION_IN, TERMS_PENDING])
        await deliver(bus, CustomerRegistered(customer=acme))
        terms_in = TERMS_PENDING.model_copy(update={"status": "received"})
        await deliver(
            bus,
            revised(
                acme,
                2,
                status=CustomerStatus.ON_HOLD,
                credit_hold=True,
                onboarding=[APPLICATION_IN, terms_in],
            ),
        )

        account = (await api.get(f"{ACCOUNTS}/{acme.id}", headers=auth(Role.CREDIT_MANAGER))).json()
        assert (account["revision"], account["status"], account["credit_hold"]) == (
            2,
            "on_hold",
            True,
        )
        assert [i["status"] for i in account["onboarding"]] == ["received", "received"]

    async def test_filters_by_status_and_district_a_page_at_a_time(
        self, api: httpx.AsyncClient, auth: AuthHeaders, bus: InProcessBus
    ) -> None:
        await deliver(
            bus,
            *(
                CustomerRegistered(
                    customer=customer(
                        account_number=number, status=status, business_district=district
                    )
                )
                for number, status, district in [
                    ("C000003", CustomerStatus.PROSPECT, "permian"),
                    ("C000001", CustomerStatus.PROSPECT, "permian"),
                    ("C000002", CustomerStatus.ACTIVE, "permian"),
                    ("C000004", CustomerStatus.PROSPECT, "eagle_ford"),
                ]
            ),
        )
        headers = auth(Role.CREDIT_MANAGER)
        query: dict[str, str | int] = {"status": "prospect", "business_district": "permian"}

        first = (await api.get(ACCOUNTS, params=query | {"limit": 1}, headers=headers)).json()
        after = query | {"limit": 1, "cursor": first["next_cursor"]}
        second = (await api.get(ACCOUNTS, params=after, headers=headers)).json()
        numbers = [a["account_number"] for a in first["items"] + second["items"]]
        assert numbers == ["C000001", "C000003"]
        assert second["next_cursor"] is None

    async def test_an_unknown_status_is_a_422_problem_naming_the_filter(
        self, api: httpx.AsyncClient, auth: AuthHeaders
    ) -> None:
        query = {"status": "bankrupt"}
        response = await api.get(ACCOUNTS, params=query, headers=auth(Role.AUDITOR))
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["query.status"]
