"""A close that binds every poster, on real PostgreSQL and Kafka with the five services: the
month's checklist is worked (receipts in, both systems reconciled and signed off, every item
signed) and collections closes the month; invoicing then refuses an invoice and a credit memo and
payments a payment dated in it; once a supervisor reopens it, both post again, and the month
closes again once its checklist is signed anew. (Credit posts nothing dated to the journal, so
it has nothing to refuse.)"""

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest

from services.collections.queries.close import CHECKLIST
from shared.auth import Role
from shared.clock import BUSINESS_DATE_HEADER, Clock
from shared.service import Service
from shared.settings import PlatformSettings
from tests.conftest import AuthHeaders
from tests.integration.conftest import client
from tests.services.invoicing.conftest import set_up_tax
from tests.support import eventually, new_customer

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]

LINE = {
    "description": "Site survey",
    "quantity": "1",
    "unit": "ea",
    "unit_price": "200.00",
    "taxability": "labor",
    "service_line": "services",
}


@pytest.fixture
def kafka_platform(kafka_platform: PlatformSettings) -> PlatformSettings:
    """A business date may name last month's end, so a credit memo can be dated in it."""
    return kafka_platform.model_copy(update={"business_date_max_backdate_days": 40})


async def _until(status: int, attempt: Callable[[], Awaitable[httpx.Response]]) -> httpx.Response:
    """`attempt()` repeated until it answers `status`: the close travels through Kafka."""

    async def answered() -> httpx.Response | None:
        response = await attempt()
        return response if response.status_code == status else None

    answered.__name__ = f"answered_{status}"
    return await eventually(answered, timeout=30)


async def test_a_month_closed_in_collections_is_refused_by_invoicing_and_payments_until_reopened(
    all_services: dict[str, Service], auth: AuthHeaders
) -> None:
    customers, invoicing = all_services["customers"], all_services["invoicing"]
    payments, collections = all_services["payments"], all_services["collections"]
    month_end = Clock().today().replace(day=1) - timedelta(days=1)
    period = f"{month_end:%Y-%m}"
    staff, supervisor = auth(Role.AR_COORDINATOR), auth(Role.AR_SUPERVISOR, subject="sam")
    async with client(customers) as http:
        created = await http.post("/v1/customers", json=new_customer(), headers=staff)
        assert created.status_code == 201, created.text
    customer_id = created.json()["id"]

    async with client(invoicing) as inv, client(payments) as pay, client(collections) as col:
        await set_up_tax(inv, auth)
        for api, path in ((inv, "/v1/billing-accounts/"), (pay, "/v1/payers/")):
            await _until(200, lambda api=api, path=path: api.get(path + customer_id, headers=staff))

        async def invoice_in_the_month() -> httpx.Response:
            body = {"customer_id": customer_id, "invoice_date": str(month_end), "lines": [LINE]}
            draft = await inv.post("/v1/invoices", json=body, headers=staff)
            assert draft.status_code == 201, draft.text
            return await inv.post(f"/v1/invoices/{draft.json()['id']}/issue", headers=staff)

        async def payment_in_the_month() -> httpx.Response:
            body: dict[str, Any] = {
                "customer_id": customer_id,
                "method": "check",
                "amount": "100.00",
                "currency": "USD",
                "received_on": str(month_end),
            }
            return await pay.post("/v1/payments", json=body, headers=staff)

        async def credit_memo_in_the_month() -> httpx.Response:
            memo = {
                "invoice_id": invoice["id"],
                "reason_code": "pricing",
                "lines": [{"line": 1, "quantity": "1"}],
            }
            return await inv.post(
                "/v1/credit-memos",
                json=memo,
                headers=staff | {BUSINESS_DATE_HEADER: str(month_end)},
            )

        async def sign_the_checklist() -> None:
            for item in (check.key for check in CHECKLIST):
                signed = await col.post(
                    f"/v1/periods/{period}/checklist/{item}/sign", headers=staff
                )
                assert signed.status_code == 200, signed.text
            listed = await col.get(f"/v1/periods/{period}/checklist", headers=staff)
            assert listed.json()["complete"] is True, listed.text

        # The month's documents, and collections seeing them.
        issued_first = await invoice_in_the_month()
        assert issued_first.status_code == 200, issued_first.text
        invoice = issued_first.json()
        assert (await payment_in_the_month()).status_code == 201

        async def ledger_has_both() -> httpx.Response | None:
            aging = await col.get(
                "/v1/aging",
                params={"as_of": str(month_end), "customer_id": customer_id},
                headers=staff,
            )
            totals = aging.json()["totals"]
            seen = [(t["open_ar"], t["unapplied_credits"]) for t in totals]
            return aging if seen == [(invoice["total"], "-100.00")] else None

        await eventually(ledger_has_both, timeout=30)

        # Both systems agree with the ledger; a supervisor who did not prepare it signs it off.
        rec = await col.post("/v1/reconciliations", json={"as_of": str(month_end)}, headers=staff)
        assert rec.status_code == 201, rec.text
        account = created.json()["account_number"]
        rows = [
            {"account_number": account, "document": invoice["number"], "amount": invoice["total"]},
            {"account_number": account, "kind": "payment", "amount": "-100.00"},
        ]
        for side in ("sales", "accounting"):
            sent = await col.post(
                f"/v1/reconciliations/{rec.json()['id']}/sources/{side}",
                json={"rows": rows},
                headers=staff,
            )
            assert sent.status_code == 200 and sent.json()["differences"] == [], sent.text
        signed_off = await col.post(
            f"/v1/reconciliations/{rec.json()['id']}/sign-off", headers=supervisor
        )
        assert signed_off.status_code == 200, signed_off.text

        incomplete = await col.post(f"/v1/periods/{period}/close", headers=supervisor)
        assert incomplete.status_code == 422, incomplete.text
        await sign_the_checklist()
        closed = await col.post(f"/v1/periods/{period}/close", headers=supervisor)
        assert closed.status_code == 201, closed.text
        assert closed.json()["incomplete_items"] == []
        for refused in (
            await _until(409, invoice_in_the_month),
            await _until(409, credit_memo_in_the_month),
            await _until(409, payment_in_the_month),
        ):
            assert (refused.json()["period"], refused.json()["closed_by"]) == (period, "sam")

        reopened = await col.post(
            f"/v1/periods/{period}/reopen", json={"reason": "late rebill"}, headers=supervisor
        )
        assert reopened.status_code == 200, reopened.text
        issued = await _until(200, invoice_in_the_month)
        assert issued.json()["invoice_date"] == str(month_end)
        await _until(201, payment_in_the_month)
        await _until(201, credit_memo_in_the_month)

        # It closes again once its checklist is signed anew.
        again = await col.post(f"/v1/periods/{period}/close", headers=supervisor)
        assert again.status_code == 422, again.text
        await sign_the_checklist()
        closed_again = await col.post(f"/v1/periods/{period}/close", headers=supervisor)
        assert closed_again.status_code == 201, closed_again.text
