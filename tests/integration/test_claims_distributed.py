"""A claim billed to a third-party payer on real PostgreSQL and Kafka with the five services: it
ages under the payer in collections, payments and credit; denied in part, exactly the denied
amount moves from the payer's aging to the customer's (the memo settles through payments, the
rebill is the customer's), and the journal balances after every step. Named to the payer after
it was issued to the customer, an invoice's part moves the other way, statements included."""

from decimal import Decimal
from typing import Any

import httpx
import pytest

from shared.auth import Role
from shared.service import Service
from tests.conftest import AuthHeaders
from tests.integration.conftest import client
from tests.support import eventually, new_customer

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]

LINES = [
    {
        "description": "Warranty repair labor",
        "quantity": "6",
        "unit": "hr",
        "unit_price": "100.00",
        "taxability": "exempt",
        "service_line": "pumping",
    },
    {
        "description": "Pump seal (warranty part)",
        "quantity": "1",
        "unit": "ea",
        "unit_price": "400.00",
        "taxability": "exempt",
        "service_line": "parts",
    },
]


async def _ok(response: Any, code: int = 200) -> Any:
    response = await response
    assert response.status_code == code, response.text
    return response.json()


def _owed(aging: dict[str, Any]) -> Decimal:
    return sum((Decimal(t["net"]) for t in aging["totals"]), Decimal(0))


async def test_a_claim_denied_in_part_moves_exactly_the_denied_amount_to_the_customer(
    all_services: dict[str, Service], auth: AuthHeaders
) -> None:
    staff, reader = auth(Role.AR_COORDINATOR), auth(Role.AUDITOR)
    async with (
        client(all_services["customers"]) as customers,
        client(all_services["invoicing"]) as invoicing,
        client(all_services["payments"]) as payments,
        client(all_services["collections"]) as collections,
        client(all_services["credit"]) as credit,
    ):
        customer = await _ok(
            customers.post("/v1/customers", json=new_customer(), headers=staff), 201
        )
        payer = await _ok(
            customers.post(
                "/v1/customers",
                json=new_customer(legal_name="Gorman Pumps Warranty Dept"),
                headers=staff,
            ),
            201,
        )
        for party in (customer, payer):
            for api, path in ((invoicing, "/v1/billing-accounts/"), (payments, "/v1/payers/")):
                url = path + party["id"]

                async def copied(api: httpx.AsyncClient = api, url: str = url) -> bool:
                    return (await api.get(url, headers=staff)).status_code == 200

                await eventually(copied, timeout=60)

        async def journal_balances() -> None:
            page = await _ok(invoicing.get("/v1/journal", params={"limit": 500}, headers=reader))
            for entry in page["items"]:
                postings = entry["postings"]
                assert sum(Decimal(p["debit"]) for p in postings) == sum(
                    Decimal(p["credit"]) for p in postings
                ), entry

        async def positions(claim_id: str, rebill_id: str | None) -> tuple[Decimal, ...]:
            """Payer's and customer's aging (collections), open balances (payments) and open
            AR (credit): what each service holds of both sides."""
            found = []
            for party in (payer, customer):
                aging = await _ok(
                    collections.get(
                        "/v1/aging", params={"customer_id": party["id"]}, headers=reader
                    )
                )
                found.append(_owed(aging))
            for invoice_id in (claim_id, rebill_id):
                if invoice_id is None:
                    found.append(Decimal(0))
                    continue
                answer = await payments.get(f"/v1/invoice-balances/{invoice_id}", headers=reader)
                found.append(
                    Decimal(answer.json()["balance"]) if answer.is_success else Decimal(-1)
                )
            for party in (payer, customer):
                answer = await credit.get(f"/v1/exposure/{party['id']}", headers=reader)
                found.append(Decimal(answer.json()["open_ar"]) if answer.is_success else Decimal(0))
            return tuple(found)

        async def settle_at(claim_id: str, rebill_id: str | None, want: tuple[str, ...]) -> None:
            expected = tuple(Decimal(w) for w in want)

            async def there() -> bool:
                return await positions(claim_id, rebill_id) == expected

            try:
                await eventually(there, timeout=60)
            except AssertionError:
                seen = await positions(claim_id, rebill_id)
                raise AssertionError(f"{seen} != {expected}") from None

        body = {"customer_id": customer["id"], "lines": LINES}
        draft = await _ok(invoicing.post("/v1/invoices", json=body, headers=staff), 201)
        await _ok(
            invoicing.post(
                f"/v1/invoices/{draft['id']}/claim",
                json={"payer_id": payer["id"], "claim_number": "WAR-55120"},
                headers=staff,
            )
        )
        claim = await _ok(invoicing.post(f"/v1/invoices/{draft['id']}/issue", headers=staff))
        assert claim["total"] == "1000.00"
        # payer aging, customer aging, claim's and rebill's balances, payer's and customer's AR
        await settle_at(claim["id"], None, ("1000.00", "0", "1000.00", "0", "1000.00", "0"))
        await journal_balances()

        denial = await _ok(
            invoicing.post(
                f"/v1/invoices/{claim['id']}/claim-denials",
                json={
                    "reason_code": "not_covered",
                    "reason": "seal wear is not a defect",
                    "lines": [{"line": 2, "amount": "400.00"}],
                },
                headers=staff,
            )
        )
        rebill = denial["invoice"]
        assert (denial["denied"], rebill["total"], rebill["customer_id"]) == (
            "400.00",
            "400.00",
            customer["id"],
        )
        await settle_at(
            claim["id"], rebill["id"], ("600.00", "400.00", "600.00", "400.00", "600.00", "400.00")
        )
        await journal_balances()

        async def tied() -> bool:
            tie_out = await _ok(collections.get("/v1/ledger/tie-out", headers=reader))
            return bool(tie_out) and all(Decimal(t["difference"]) == 0 for t in tie_out)

        await eventually(tied, timeout=60)

        # Found out after the invoice went to the customer: the seal is the payer's after all.
        later = await _ok(invoicing.post("/v1/invoices", json=body, headers=staff), 201)
        later = await _ok(invoicing.post(f"/v1/invoices/{later['id']}/issue", headers=staff))
        await settle_at(
            claim["id"],
            later["id"],
            ("600.00", "1400.00", "600.00", "1000.00", "600.00", "1400.00"),
        )
        moved = await _ok(
            invoicing.post(
                f"/v1/invoices/{later['id']}/claim",
                json={
                    "payer_id": payer["id"],
                    "claim_number": "WAR-55121",
                    "lines": [{"line": 2, "amount": "400.00"}],
                },
                headers=staff,
            )
        )
        assert (moved["customer_id"], moved["total"]) == (payer["id"], "400.00")
        # payer aging, customer aging, the new claim's and the customer's invoice's balances
        await settle_at(
            moved["id"],
            later["id"],
            ("1000.00", "1000.00", "400.00", "600.00", "1000.00", "1000.00"),
        )
        await journal_balances()

        async def statement_items(party: dict[str, Any]) -> dict[str, str]:
            page = await _ok(collections.get(f"/v1/statements/{party['id']}", headers=reader))
            return {i["number"]: i["balance"] for i in page["items"]}

        assert (await statement_items(payer))[moved["number"]] == "400.00"
        assert (await statement_items(customer))[later["number"]] == "600.00"
        await eventually(tied, timeout=60)
