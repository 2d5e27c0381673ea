"""Every route that serves a token limited to districts or a customer (SCOPED in
tests/unit/test_route_roles.py) shows it only its own customers' data. Two customers in two
districts each get an invoice, a payment applied to it, a credit memo, a dispute, an activity, a
promise, a ticket with a document and a customer document; then every scoped read is called
with a district-limited and a customer-limited token: an object of the other customer is a 404,
and a list or report names none of the other customer's objects. A scoped read added without an
object planted here for its path fails the test, so a new route cannot skip the check."""

import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.embedded import create_app
from shared.auth import Role, Scope, TokenAuthority
from shared.clock import Clock
from shared.settings import PlatformSettings
from tests.api.test_embedded import embedded_env  # noqa: F401 (the fixture)
from tests.api.test_object_scopes import BAKKEN, PERMIAN, bearer
from tests.conftest import AuthHeaders
from tests.services.invoicing.conftest import PDF, set_up_tax, ticket_body
from tests.services.payments.advices import advice_email
from tests.support import eventually, new_customer
from tests.unit.test_route_roles import PINNED, SCOPED

LINE = {
    "description": "Site survey",
    "quantity": "1",
    "unit": "ea",
    "unit_price": "200.00",
    "taxability": "labor",
    "service_line": "services",
}

# Lists nothing planted here fills (a dunning run would): they are still checked to name none of
# the other customer's objects.
NOTHING_PLANTED = {"collections GET /v1/dunning-notices"}


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass
class Planted:
    """One customer's objects, by the path parameter (`service:name`) that names each."""

    ids: dict[str, str] = field(default_factory=dict)

    @property
    def customer(self) -> str:
        return self.ids["customers:customer_id"]

    def path_value(self, service: str, name: str) -> str | None:
        return self.ids.get(f"{service}:{name}") or self.ids.get(f"*:{name}")

    def every_id(self) -> set[str]:
        return set(self.ids.values())


async def _ok(response: Any, status: int = 200) -> dict[str, Any]:
    answer = await response
    assert answer.status_code == status, answer.text
    body: dict[str, Any] | list[Any] = answer.json()
    return body if isinstance(body, dict) else {"items": body}


async def _arrives(http: httpx.AsyncClient, path: str, auth: AuthHeaders) -> None:
    async def arrived() -> bool:
        return (await http.get(path, headers=auth(Role.AUDITOR))).status_code == 200

    await eventually(arrived, timeout=10.0)


async def _plant(http: httpx.AsyncClient, auth: AuthHeaders, district: str) -> Planted:
    staff = auth(Role.AR_COORDINATOR)
    today = str(Clock().today())
    planted = Planted()
    customer = await _ok(
        http.post(
            "/customers/v1/customers", json=new_customer(business_district=district), headers=staff
        ),
        201,
    )
    customer_id = customer["id"]
    planted.ids |= {"customers:customer_id": customer_id, "*:customer_id": customer_id}
    for path in (
        "/invoicing/v1/billing-accounts/",
        "/payments/v1/payers/",
        "/collections/v1/collection-accounts/",
        "/credit/v1/credit-accounts/",
    ):
        await _arrives(http, path + customer_id, auth)
    document = await http.post(
        f"/customers/v1/customers/{customer_id}/documents",
        data={"kind": "w9"},
        files={"file": ("w9.pdf", PDF, "application/pdf")},
        headers=staff,
    )
    assert document.status_code == 201, document.text
    planted.ids["customers:document_id"] = document.json()["id"]

    ticket = await _ok(
        http.post(
            "/invoicing/v1/tickets",
            json=ticket_body(uuid.UUID(customer_id), business_district=district),
            headers=auth(Role.INTEGRATION),
        ),
        201,
    )
    planted.ids["invoicing:ticket_id"] = ticket["id"]
    attached = await http.post(
        f"/invoicing/v1/tickets/{ticket['id']}/documents",
        data={"kind": "time_sheet"},
        files={"file": ("time_sheet.pdf", PDF, "application/pdf")},
        headers=auth(Role.SALES),
    )
    assert attached.status_code == 201, attached.text
    planted.ids["invoicing:document_id"] = attached.json()["id"]

    body = {"customer_id": customer_id, "lines": [LINE]}
    draft = await _ok(http.post("/invoicing/v1/invoices", json=body, headers=staff), 201)
    invoice = await _ok(http.post(f"/invoicing/v1/invoices/{draft['id']}/issue", headers=staff))
    invoice_id = invoice["id"]
    planted.ids |= {"*:invoice_id": invoice_id, "collections:item_id": invoice_id}
    draft = await _ok(http.post("/invoicing/v1/invoices", json=body, headers=staff), 201)
    planted.ids["invoicing:draft_id"] = draft["id"]
    await _arrives(http, f"/payments/v1/invoice-balances/{invoice_id}", auth)
    await _arrives(http, f"/collections/v1/ledger/items/{invoice_id}", auth)

    memo = {
        "invoice_id": invoice_id,
        "reason_code": "pricing",
        "lines": [{"line": 1, "amount": "10.00"}],
    }
    planted.ids["*:credit_memo_id"] = (
        await _ok(http.post("/invoicing/v1/credit-memos", json=memo, headers=staff), 201)
    )["id"]
    # Each district's customer pays another amount, so what is left open on its invoice differs
    # and an unknown payer's cheque for it is suggested for that invoice alone.
    paid = "50.00" if district == PERMIAN else "40.00"
    payment = {
        "customer_id": customer_id,
        "method": "check",
        "amount": paid,
        "currency": "USD",
        "received_on": today,
        "reference": f"CHK-{district}",
    }
    payment_id = (await _ok(http.post("/payments/v1/payments", json=payment, headers=staff), 201))[
        "id"
    ]
    planted.ids["*:payment_id"] = payment_id
    await _arrives(http, f"/payments/v1/invoice-balances/{invoice_id}", auth)

    async def memo_settled() -> bool:
        balance = await http.get(
            f"/payments/v1/invoice-balances/{invoice_id}", headers=auth(Role.AUDITOR)
        )
        return bool(balance.json()["credit_memos"])

    await eventually(memo_settled, timeout=10.0)
    applied = await _ok(
        http.post(
            f"/payments/v1/payments/{payment_id}/applications",
            json={"applications": [{"invoice_id": invoice_id, "amount": paid}]},
            headers=staff,
        ),
        201,
    )
    planted.ids["*:application_id"] = applied["items"][0]["id"]
    planted.ids["*:suggestion_id"] = await _suggested(http, auth, invoice_id, district)
    planted.ids |= await _cash_kept(http, auth, customer_id, invoice["number"], district)

    dispute = {
        "customer_id": customer_id,
        "invoice_id": invoice_id,
        "amount": "5.00",
        "reason": "Hours disputed",
        "department": "sales",
    }

    async def disputed() -> dict[str, Any] | None:
        answer = await http.post("/collections/v1/disputes", json=dispute, headers=staff)
        return answer.json() if answer.status_code == 201 else None

    planted.ids["*:dispute_id"] = (await eventually(disputed, timeout=10.0))["id"]
    await _ok(
        http.post(
            "/collections/v1/activities",
            json={"customer_id": customer_id, "kind": "call", "outcome": "Spoke to AP"},
            headers=staff,
        ),
        201,
    )
    await _ok(
        http.post(
            "/collections/v1/promises",
            json={"customer_id": customer_id, "amount": "20.00", "promised_on": today},
            headers=staff,
        ),
        201,
    )
    return planted


async def _suggested(
    http: httpx.AsyncClient, auth: AuthHeaders, invoice_id: str, district: str
) -> str:
    """An unknown payer's cheque for what is open on the invoice: suggested for review, not
    applied."""
    balance = await _ok(
        http.get(f"/payments/v1/invoice-balances/{invoice_id}", headers=auth(Role.AUDITOR))
    )
    cheque = {
        "customer_id": None,
        "method": "check",
        "amount": balance["balance"],
        "currency": "USD",
        "received_on": str(Clock().today()),
        "reference": f"UNKNOWN-{district}",
        "payer_name": f"Holdings of {district}",
    }
    await _ok(
        http.post("/payments/v1/payments", json=cheque, headers=auth(Role.AR_COORDINATOR)), 201
    )
    queue = await _ok(http.get("/payments/v1/applications/suggestions", headers=auth(Role.AUDITOR)))
    [suggestion] = [
        s for s in queue["items"] if s["proposal"] and s["proposal"][0]["invoice_id"] == invoice_id
    ]
    return str(suggestion["id"])


async def _cash_kept(
    http: httpx.AsyncClient, auth: AuthHeaders, customer_id: str, number: str, district: str
) -> dict[str, str]:
    """A deposit for a PO, a refund asked of an over-payment, and an advice naming the invoice."""
    staff = auth(Role.AR_COORDINATOR)
    today = str(Clock().today())
    deposit = {
        "customer_id": customer_id,
        "method": "check",
        "amount": "25.00",
        "currency": "USD",
        "received_on": today,
        "po_number": f"PO-{district}",
    }
    deposit_id = (await _ok(http.post("/payments/v1/deposits", json=deposit, headers=staff), 201))[
        "id"
    ]
    extra = {
        "customer_id": customer_id,
        "method": "check",
        "amount": "7.00",
        "currency": "USD",
        "received_on": today,
        "reference": f"OVER-{district}",
    }
    extra_id = (await _ok(http.post("/payments/v1/payments", json=extra, headers=staff), 201))["id"]
    refund = {"payment_id": extra_id, "amount": "7.00", "reason": "Paid twice"}
    refund_id = (await _ok(http.post("/payments/v1/refunds", json=refund, headers=staff), 201))[
        "id"
    ]
    email = advice_email(f"Our check pays:\n{number}   12.00\n", subject=f"Remittance {district}")
    document = await _ok(
        http.post(
            "/payments/v1/remittance-advices",
            files={"file": ("advice.eml", email)},
            headers=staff,
        ),
        201,
    )
    [advice] = document["advices"]
    assert advice["customer_id"] == customer_id, advice
    return {"*:deposit_id": deposit_id, "*:refund_id": refund_id, "*:advice_id": advice["id"]}


@asynccontextmanager
async def product(
    platform: PlatformSettings, auth: AuthHeaders, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[httpx.AsyncClient, Planted, Planted]]:
    """The embedded product with sales tax set up and a customer planted in each district."""
    monkeypatch.setenv("AR_SMTP__MAIL_DROP", str(tmp_path / "mail-drop"))
    app = create_app(platform)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with (
            httpx.AsyncClient(transport=transport, base_url="http://test") as http,
            httpx.AsyncClient(transport=transport, base_url="http://test/invoicing") as invoicing,
        ):
            await set_up_tax(invoicing, auth)
            yield http, await _plant(http, auth, PERMIAN), await _plant(http, auth, BAKKEN)


def _routes() -> list[tuple[str, str, str]]:
    """(key, service, template) of every scoped read."""
    found = []
    for key in sorted(SCOPED):
        service, method, template = key.split(" ", 2)
        if method == "GET":
            found.append((key, service, template))
    return found


def _path(service: str, template: str, planted: Planted) -> str:
    names = [part[1:-1] for part in template.split("/") if part.startswith("{")]
    values = {}
    for name in names:
        value = planted.path_value(service, name)
        assert value is not None, f"plant an object for {{{name}}} of {service} {template}"
        values[name] = value
    return f"/{service}{template.format_map(values)}"


def _list_params(key: str, planted: Planted) -> list[dict[str, str]]:
    """The ways each list is asked: as is, and for the other customer by name."""
    future = str(Clock().today() + timedelta(days=90))
    extra = {
        "collections GET /v1/aging": {"group_by": "customer", "as_of": future},
        "collections GET /v1/aging/items": {"as_of": future},
        "collections GET /v1/worklist": {"as_of": future},
        "collections GET /v1/activities": {"customer_id": planted.customer},
        # Both planted customers are registered at this bill-to address.
        "customers GET /v1/customers/duplicates": {"line1": "100 Main St", "postal_code": "79701"},
    }.get(key, {})
    return [extra, extra | {"customer_id": planted.customer}]


async def test_every_scoped_read_shows_a_scoped_token_only_its_own_customers_data(
    embedded_env: PlatformSettings,  # noqa: F811
    auth: AuthHeaders,
    tokens: TokenAuthority,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with product(embedded_env, auth, tmp_path, monkeypatch) as (http, ours, theirs):
        scopes = {
            "district": Scope(districts=frozenset({PERMIAN})),
            "customer": Scope(customer_id=uuid.UUID(ours.customer)),
        }
        leaks: list[str] = []
        for key, service, template in _routes():
            # A sales token where the route allows it, an auditor's (reads everything) elsewhere.
            role = Role.SALES if Role.SALES.value in PINNED[key].split() else Role.AUDITOR
            for label, scope in scopes.items():
                headers = bearer(tokens, role, scope)
                if "{" in template:
                    mine = await http.get(_path(service, template, ours), headers=headers)
                    if mine.status_code != 200:
                        leaks.append(f"{key} as {label}: own object answers {mine.status_code}")
                    other = await http.get(_path(service, template, theirs), headers=headers)
                    if other.status_code != 404:
                        leaks.append(f"{key} as {label}: other's object {other.status_code}")
                    continue
                mine = await http.get(
                    f"/{service}{template}", params=_list_params(key, ours)[0], headers=headers
                )
                if mine.status_code != 200:
                    leaks.append(f"{key} as {label}: {mine.status_code} {mine.text[:200]}")
                elif key not in NOTHING_PLANTED and not ours.every_id() & _ids_in(mine.text):
                    leaks.append(f"{key} as {label}: none of its own objects listed")
                for params in _list_params(key, theirs):
                    other = await http.get(f"/{service}{template}", params=params, headers=headers)
                    if other.status_code == 404:
                        continue  # the customer asked for is not found: it names only that id
                    shown = theirs.every_id() & _ids_in(other.text)
                    if shown:
                        leaks.append(f"{key} as {label} with {params}: shows {sorted(shown)}")
        assert leaks == []

        # The aging's totals count only the caller's customers.
        future = str(Clock().today() + timedelta(days=90))
        for scope in scopes.values():
            headers = bearer(tokens, Role.AUDITOR, scope)
            scoped = await http.get(
                "/collections/v1/aging", params={"as_of": future}, headers=headers
            )
            alone = await http.get(
                "/collections/v1/aging",
                params={"as_of": future, "customer_id": ours.customer},
                headers=auth(Role.AUDITOR),
            )
            assert scoped.json()["totals"] == alone.json()["totals"] != []


def _ids_in(text: str) -> set[str]:
    """Every id an answer names."""
    return set(UUID.findall(text))


@pytest.mark.parametrize("label", ["district", "customer"])
async def test_a_scoped_token_cannot_write_to_another_customers_objects(
    embedded_env: PlatformSettings,  # noqa: F811
    auth: AuthHeaders,
    tokens: TokenAuthority,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    label: str,
) -> None:
    async with product(embedded_env, auth, tmp_path, monkeypatch) as (http, ours, theirs):
        scope = (
            Scope(districts=frozenset({PERMIAN}))
            if label == "district"
            else Scope(customer_id=uuid.UUID(ours.customer))
        )
        coordinator = bearer(tokens, Role.AR_COORDINATOR, scope)
        supervisor = bearer(tokens, Role.AR_SUPERVISOR, scope)

        def staff(path: str) -> dict[str, str]:
            # Deciding a refund is the supervisor's; every other write the coordinator's.
            return supervisor if path.endswith(("/approve", "/reject")) else coordinator

        today = str(Clock().today())

        def writes(p: Planted) -> list[tuple[str, dict[str, Any]]]:
            customer, invoice = p.customer, p.ids["*:invoice_id"]
            return [
                ("/collections/v1/activities", {"customer_id": customer, "kind": "note"}),
                (
                    "/collections/v1/promises",
                    {"customer_id": customer, "amount": "1.00", "promised_on": today},
                ),
                (
                    "/collections/v1/disputes",
                    {
                        "customer_id": customer,
                        "invoice_id": invoice,
                        "amount": "1.00",
                        "reason": "Price",
                        "department": "sales",
                    },
                ),
                (
                    f"/collections/v1/disputes/{p.ids['*:dispute_id']}/resolve",
                    {"resolution": "Agreed", "outcome": "company"},
                ),
                (
                    "/invoicing/v1/credit-memos",
                    {
                        "invoice_id": invoice,
                        "reason_code": "pricing",
                        "lines": [{"line": 1, "amount": "1.00"}],
                    },
                ),
                (
                    f"/payments/v1/payments/{p.ids['*:payment_id']}/applications",
                    {"applications": [{"invoice_id": invoice, "amount": "1.00"}]},
                ),
                (
                    f"/payments/v1/applications/{p.ids['*:application_id']}/unapply",
                    {"reason": "Wrong"},
                ),
                (f"/payments/v1/payments/{p.ids['*:payment_id']}/reverse", {"reason": "NSF"}),
                (
                    f"/payments/v1/deposits/{p.ids['*:deposit_id']}/applications",
                    {"invoice_id": invoice, "amount": "1.00"},
                ),
                (
                    "/payments/v1/deposits",
                    {
                        "customer_id": customer,
                        "method": "check",
                        "amount": "1.00",
                        "currency": "USD",
                        "received_on": today,
                        "po_number": "PO-1",
                    },
                ),
                (
                    "/payments/v1/refunds",
                    {"payment_id": p.ids["*:payment_id"], "amount": "1.00", "reason": "Twice"},
                ),
                (f"/payments/v1/refunds/{p.ids['*:refund_id']}/approve", {}),
                (f"/payments/v1/refunds/{p.ids['*:refund_id']}/reject", {}),
                (
                    f"/payments/v1/remittance-advices/{p.ids['*:advice_id']}/use",
                    {"payment_id": p.ids["*:payment_id"]},
                ),
                (f"/payments/v1/applications/suggestions/{p.ids['*:suggestion_id']}/dismiss", {}),
                (f"/payments/v1/applications/suggestions/{p.ids['*:suggestion_id']}/accept", {}),
                (f"/collections/v1/statements/{customer}/send", {}),
                (f"/invoicing/v1/invoices/{p.ids['invoicing:draft_id']}/issue", {}),
                (f"/invoicing/v1/invoices/{invoice}/deliver", {}),
                (f"/invoicing/v1/invoices/{invoice}/void", {"reason": "Wrong customer"}),
                (
                    f"/invoicing/v1/invoices/{invoice}/rebill",
                    {"reason_code": "pricing", "lines": [LINE]},
                ),
            ]

        for path, body in writes(theirs):
            refused = await http.post(path, json=body, headers=staff(path))
            assert refused.status_code == 404, (path, refused.text)
        # Nothing of the other customer's was written.
        auditor = auth(Role.AUDITOR)
        draft = f"/invoicing/v1/invoices/{theirs.ids['invoicing:draft_id']}"
        assert (await _ok(http.get(draft, headers=auditor)))["status"] == "draft"
        queue = await _ok(http.get("/payments/v1/applications/suggestions", headers=auditor))
        assert theirs.ids["*:suggestion_id"] in {s["id"] for s in queue["items"]}
        # The same writes on the caller's own customer are not refused for scope.
        for path, body in writes(ours):
            done = await http.post(path, json=body, headers=staff(path))
            assert done.status_code not in {403, 404}, (path, done.text)
