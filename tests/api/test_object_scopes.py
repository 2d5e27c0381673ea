"""Object-level scoping across the product: a sales token limited to its district, and a
customer-portal token limited to one customer, see only their own customers' objects in every
service; another's is a 404 as if it did not exist, and a list leaves it out."""

import uuid
from typing import Any

import httpx

from shared.auth import Role, Scope, TokenAuthority
from shared.settings import PlatformSettings
from tests.api.test_embedded import embedded, embedded_env  # noqa: F401 (the fixture)
from tests.conftest import AuthHeaders
from tests.services.invoicing.conftest import ticket_body
from tests.support import eventually, new_customer

PERMIAN, BAKKEN = "permian", "bakken"


def bearer(tokens: TokenAuthority, role: Role, scope: Scope) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens.mint('scoped', [role], scope=scope)}"}


async def _register(http: httpx.AsyncClient, auth: AuthHeaders, district: str) -> str:
    created = await http.post(
        "/customers/v1/customers",
        json=new_customer(business_district=district),
        headers=auth(Role.AR_COORDINATOR),
    )
    assert created.status_code == 201, created.text
    customer_id: str = created.json()["id"]
    for path in (
        "/invoicing/v1/billing-accounts/",
        "/collections/v1/collection-accounts/",
        "/credit/v1/credit-accounts/",
    ):

        async def arrived(path: str = path) -> Any:
            response = await http.get(path + customer_id, headers=auth(Role.AUDITOR))
            return response.status_code == 200

        await eventually(arrived, timeout=5.0)
    return customer_id


async def test_a_district_or_customer_scoped_token_reaches_only_its_own_objects(
    embedded_env: PlatformSettings,  # noqa: F811
    auth: AuthHeaders,
    tokens: TokenAuthority,
) -> None:
    async with embedded(embedded_env) as http:
        ours = await _register(http, auth, PERMIAN)
        theirs = await _register(http, auth, BAKKEN)
        sales = bearer(tokens, Role.SALES, Scope(districts=frozenset({PERMIAN})))
        portal = bearer(tokens, Role.AUDITOR, Scope(customer_id=uuid.UUID(ours)))

        for headers in (sales, portal):
            for path in (
                "/customers/v1/customers/{id}",
                "/collections/v1/collection-accounts/{id}",
                "/collections/v1/statements/{id}",
                "/credit/v1/credit-accounts/{id}",
                "/credit/v1/exposure/{id}",
            ):
                mine = await http.get(path.format(id=ours), headers=headers)
                assert mine.status_code == 200, (path, mine.text)
                other = await http.get(path.format(id=theirs), headers=headers)
                assert other.status_code == 404, (path, other.text)
            for path in (
                "/customers/v1/customers",
                "/collections/v1/collection-accounts",
                "/credit/v1/credit-accounts",
            ):
                listed = (await http.get(path, headers=headers)).json()["items"]
                assert [item["id"] for item in listed] == [ours], path
            # A route that does not filter by scope refuses the token outright.
            refused = await http.get("/invoicing/v1/journal", headers=headers)
            assert refused.status_code == 403

        # Writes too: the sales system sends tickets and asks for authorizations for its own
        # district's customers only.
        accepted = await http.post("/invoicing/v1/tickets", json=ticket_body(ours), headers=sales)
        assert accepted.status_code == 201, accepted.text
        elsewhere = await http.post(
            "/invoicing/v1/tickets", json=ticket_body(theirs), headers=sales
        )
        assert elsewhere.status_code == 404, elsewhere.text
        work_elsewhere = ticket_body(ours, business_district=BAKKEN)
        assert (
            await http.post("/invoicing/v1/tickets", json=work_elsewhere, headers=sales)
        ).status_code == 404
        other = await http.post(
            "/invoicing/v1/tickets",
            json=ticket_body(theirs, business_district=BAKKEN),
            headers=auth(Role.AR_COORDINATOR),
        )
        for headers in (sales, portal):
            path = "/invoicing/v1/tickets/{}"
            assert (await http.get(path.format(accepted.json()["id"]), headers=headers)).is_success
            assert (
                await http.get(path.format(other.json()["id"]), headers=headers)
            ).status_code == 404
            listed = (await http.get("/invoicing/v1/tickets", headers=headers)).json()["items"]
            assert [t["id"] for t in listed] == [accepted.json()["id"]]
        order = {"customer_id": theirs, "amount": "100.00", "order_ref": "SO-1"}
        refused = await http.post("/credit/v1/authorizations", json=order, headers=sales)
        assert refused.status_code == 404, refused.text
        everyone = (await http.get("/customers/v1/customers", headers=auth(Role.SALES))).json()[
            "items"
        ]
        assert {item["id"] for item in everyone} == {ours, theirs}  # an unscoped token sees all
