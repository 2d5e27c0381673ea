"""Go-live on real PostgreSQL and Kafka with the five services: legacy invoices imported into
invoicing (one with an open balance below its total) post their opening balances, payments
knows what each still owes, and once they are all paid the ledger and the AR control account
in collections are both 0.00."""

from datetime import timedelta
from decimal import Decimal

import httpx
import pytest

from shared.auth import Role
from shared.clock import Clock
from shared.service import Service
from tests.conftest import AuthHeaders
from tests.integration.conftest import client
from tests.support import eventually, new_customer

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]

ON = Clock().today().replace(day=1) - timedelta(days=40)
LEGACY = [("L-9001", "800.00", "300.00"), ("L-9002", "120.50", None), ("L-9003", "99.99", "77.77")]


def _legacy(customer_id: str, number: str, total: str, open_balance: str | None) -> dict:
    line = {"description": "Legacy", "quantity": "1", "unit": "ea", "unit_price": total}
    body = {
        "number": number,
        "customer_id": customer_id,
        "invoice_date": str(ON),
        "lines": [line | {"amount": total}],
        "total": total,
    }
    return body | ({"open_balance": open_balance} if open_balance else {})


async def _ok(response: httpx.Response) -> httpx.Response | None:
    return response if response.status_code == 200 else None


async def test_legacy_invoices_imported_then_paid_leave_the_tie_out_at_zero(
    all_services: dict[str, Service], auth: AuthHeaders
) -> None:
    customers, invoicing = all_services["customers"], all_services["invoicing"]
    payments, collections = all_services["payments"], all_services["collections"]
    staff, auditor = auth(Role.AR_COORDINATOR), auth(Role.AUDITOR)
    async with client(customers) as http:
        created = await http.post("/v1/customers", json=new_customer(), headers=staff)
        assert created.status_code == 201, created.text
    customer_id = created.json()["id"]

    async with client(invoicing) as inv, client(payments) as pay, client(collections) as col:

        async def billing_account() -> httpx.Response | None:
            return await _ok(await inv.get(f"/v1/billing-accounts/{customer_id}", headers=staff))

        await eventually(billing_account, timeout=30)
        body = {"invoices": [_legacy(customer_id, *row) for row in LEGACY]}
        imported = await inv.post("/v1/invoices/import", json=body, headers=staff)
        assert imported.status_code == 201, imported.text
        owed = {
            invoice_id: Decimal(open_balance or total)
            for invoice_id, (_, total, open_balance) in zip(
                imported.json()["invoice_ids"], LEGACY, strict=True
            )
        }

        async def tie_out() -> list[dict]:
            return (
                await col.get("/v1/ledger/tie-out", params={"as_of": str(ON)}, headers=auditor)
            ).json()

        async def opened() -> list[dict] | None:
            tie = await tie_out()
            return tie if tie and tie[0]["ledger"] == "498.27" else None

        [tie] = await eventually(opened, timeout=60)
        assert (tie["journal"], tie["difference"]) == ("498.27", "0.00")

        for invoice_id, amount in owed.items():

            async def known(invoice_id: str = invoice_id) -> httpx.Response | None:
                return await _ok(await pay.get(f"/v1/invoice-balances/{invoice_id}", headers=staff))

            balance = (await eventually(known, timeout=30)).json()
            assert Decimal(balance["balance"]) == amount
            payment = await pay.post(
                "/v1/payments",
                json={
                    "customer_id": customer_id,
                    "method": "check",
                    "amount": str(amount),
                    "currency": "USD",
                    "received_on": str(ON + timedelta(days=5)),
                },
                headers=staff,
            )
            assert payment.status_code == 201, payment.text
            if Decimal(payment.json()["unapplied"]):
                applied = await pay.post(
                    f"/v1/payments/{payment.json()['id']}/applications",
                    json={"applications": [{"invoice_id": invoice_id, "amount": str(amount)}]},
                    headers=staff,
                )
                assert applied.status_code == 201, applied.text

        async def paid() -> dict | None:
            balance = (
                await col.get(
                    "/v1/gl/trial-balance",
                    params={"as_of": str(ON + timedelta(days=5))},
                    headers=auditor,
                )
            ).json()
            [control] = balance["ar_control"]
            receivable = {r["account"]: r["balance"] for r in balance["accounts"]}.get("1200")
            # A receipt can reach collections before its application: until the application's
            # posting arrives, the ledger nets the cash against the invoice while AR still shows
            # it open. Wait for both.
            return balance if control["ledger"] == "0.00" and receivable == "0.00" else None

        balance = await eventually(paid, timeout=60)
        [control] = balance["ar_control"]
        assert (control["journal"], control["difference"], control["documents"]) == (
            "0.00",
            "0.00",
            [],
        )
        accounts = {r["account"]: r["balance"] for r in balance["accounts"]}
        assert accounts["1200"] == "0.00" and accounts["3900"] == "-498.27"
