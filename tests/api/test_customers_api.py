"""The customers API as the AR team and the sales system use it."""

import httpx
import pytest

from shared.auth import Role
from shared.bus import BusMessage
from shared.events.envelope import EventEnvelope
from shared.service import Service
from tests.conftest import AuthHeaders
from tests.support import eventually, new_customer

COORDINATOR = Role.AR_COORDINATOR


async def _create(api: httpx.AsyncClient, auth: AuthHeaders, **overrides: object) -> dict:
    response = await api.post(
        "/v1/customers", json=new_customer(**overrides), headers=auth(COORDINATOR)
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_register_then_read_a_customer(
    customers_api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    created = await _create(customers_api, auth)
    assert created["account_number"].startswith("C")
    assert created["payment_terms"]["discount_percent"] == "2"  # money-like values stay strings
    assert [a["kind"] for a in created["addresses"]] == ["bill_to", "job_site"]
    assert [i["item"] for i in created["onboarding"]] == [
        "credit_application",
        "w9",
        "exemption_certificate",
        "signed_terms",
    ]
    read = await customers_api.get(f"/v1/customers/{created['id']}", headers=auth(Role.AUDITOR))
    assert read.status_code == 200 and read.json() == created
    assert read.headers["etag"] == '"1"'


async def test_account_numbers_are_consecutive(
    customers_api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    first = await _create(customers_api, auth)
    second = await _create(customers_api, auth, legal_name="Second LLC")
    assert int(second["account_number"][1:]) == int(first["account_number"][1:]) + 1


async def test_invalid_registration_names_every_bad_field(
    customers_api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    body = new_customer(tax_id="00-1234567", currency="XXQ", legal_name="")
    body["payment_terms"] = {"kind": "net", "days": -1}
    response = await customers_api.post("/v1/customers", json=body, headers=auth(COORDINATOR))
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"body.tax_id", "body.currency", "body.legal_name", "body.payment_terms.days"} <= fields


@pytest.mark.parametrize(
    "terms",
    [
        {"kind": "net", "days": 30, "discount_percent": "2"},
        {"kind": "net", "days": 10, "discount_percent": "2", "discount_days": 10},
        {"kind": "due_on_receipt", "days": 5},
    ],
    ids=["discount-without-days", "discount-window-past-due-date", "due-on-receipt-with-days"],
)
async def test_inconsistent_terms_are_refused(
    customers_api: httpx.AsyncClient, auth: AuthHeaders, terms: dict
) -> None:
    response = await customers_api.post(
        "/v1/customers", json=new_customer(payment_terms=terms), headers=auth(COORDINATOR)
    )
    assert response.status_code == 422
    assert response.json()["type"].endswith(":business-rule-violation")


async def test_an_active_customer_needs_a_bill_to_address(
    customers_api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    response = await customers_api.post(
        "/v1/customers", json=new_customer(addresses=[]), headers=auth(COORDINATOR)
    )
    assert response.status_code == 422 and "bill-to" in response.json()["detail"]
    prospect = await _create(customers_api, auth, addresses=[], status="prospect")
    activate = await customers_api.patch(
        f"/v1/customers/{prospect['id']}", json={"status": "active"}, headers=auth(COORDINATOR)
    )
    assert activate.status_code == 422


async def test_update_changes_only_what_was_sent_and_is_audited(
    customers_api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    created = await _create(customers_api, auth)
    response = await customers_api.patch(
        f"/v1/customers/{created['id']}",
        json={"sales_rep": "rep-smith", "reason": "territory realigned"},
        headers=auth(Role.AR_SUPERVISOR, subject="sam"),
    )
    assert response.status_code == 200
    updated = response.json()
    assert updated["sales_rep"] == "rep-smith" and updated["legal_name"] == created["legal_name"]
    assert updated["revision"] == 2
    history = (
        await customers_api.get(
            f"/v1/customers/{created['id']}/history", headers=auth(Role.AUDITOR)
        )
    ).json()
    assert history[-1]["actor"] == "sam"
    assert history[-1]["reason"] == "territory realigned"
    assert history[-1]["changes"] == {"sales_rep": {"from": "rep-jones", "to": "rep-smith"}}


async def test_putting_a_customer_on_hold_needs_a_reason(
    customers_api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    created = await _create(customers_api, auth)
    url = f"/v1/customers/{created['id']}"
    assert (
        await customers_api.patch(url, json={"status": "on_hold"}, headers=auth(COORDINATOR))
    ).status_code == 422
    response = await customers_api.patch(
        url, json={"status": "on_hold", "reason": "disputed billing"}, headers=auth(COORDINATOR)
    )
    assert response.status_code == 200 and response.json()["status"] == "on_hold"


async def test_a_stale_if_match_is_refused(
    customers_api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    created = await _create(customers_api, auth)
    url = f"/v1/customers/{created['id']}"
    await customers_api.patch(url, json={"dba": "New DBA"}, headers=auth(COORDINATOR))
    stale = await customers_api.patch(
        url, json={"dba": "Mine"}, headers=auth(COORDINATOR) | {"If-Match": '"1"'}
    )
    assert stale.status_code == 412
    assert (await customers_api.get(url, headers=auth(COORDINATOR))).json()["dba"] == "New DBA"


async def test_required_fields_cannot_be_blanked(
    customers_api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    created = await _create(customers_api, auth)
    response = await customers_api.patch(
        f"/v1/customers/{created['id']}", json={"legal_name": None}, headers=auth(COORDINATOR)
    )
    assert response.status_code == 422


async def test_list_filters_and_pages(customers_api: httpx.AsyncClient, auth: AuthHeaders) -> None:
    for i in range(5):
        await _create(customers_api, auth, legal_name=f"Permian {i}")
    await _create(customers_api, auth, legal_name="Eagle Ford Co", business_district="eagle-ford")
    seen: list[str] = []
    cursor = None
    while True:
        params = {"business_district": "permian", "limit": 2} | (
            {"cursor": cursor} if cursor else {}
        )
        page = (
            await customers_api.get("/v1/customers", params=params, headers=auth(Role.SALES))
        ).json()
        seen += [c["legal_name"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"Permian {i}" for i in range(5)]
    found = (
        await customers_api.get("/v1/customers", params={"q": "eagle"}, headers=auth(Role.SALES))
    ).json()
    assert [c["legal_name"] for c in found["items"]] == ["Eagle Ford Co"]
    bad = await customers_api.get(
        "/v1/customers", params={"cursor": "garbage"}, headers=auth(Role.SALES)
    )
    assert bad.status_code == 400 and bad.json()["type"].endswith(":invalid-cursor")


async def test_no_token_is_401_and_a_read_only_role_cannot_write(
    customers_api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    anonymous = await customers_api.get("/v1/customers")
    assert anonymous.status_code == 401 and anonymous.headers["www-authenticate"] == "Bearer"
    for role in (Role.AUDITOR, Role.SALES):
        refused = await customers_api.post("/v1/customers", json=new_customer(), headers=auth(role))
        assert refused.status_code == 403
    listing = (await customers_api.get("/v1/customers", headers=auth(Role.AUDITOR))).json()
    assert listing["items"] == []  # nothing was written by the refused calls


async def test_unknown_customer_is_a_404_problem(
    customers_api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    response = await customers_api.get(
        "/v1/customers/00000000-0000-0000-0000-000000000000", headers=auth(COORDINATOR)
    )
    assert response.status_code == 404 and response.json()["type"].endswith(":not-found")


async def test_idempotent_retry_returns_the_first_answer_and_creates_one_customer(
    customers_api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    headers = auth(COORDINATOR) | {"Idempotency-Key": "sales-sync-42"}
    body = new_customer()
    first = await customers_api.post("/v1/customers", json=body, headers=headers)
    retry = await customers_api.post("/v1/customers", json=body, headers=headers)
    assert retry.status_code == 201 and retry.json() == first.json()
    assert retry.headers["idempotent-replayed"] == "true"
    other_body = await customers_api.post(
        "/v1/customers", json=body | {"dba": "Other"}, headers=headers
    )
    assert other_body.status_code == 422
    assert other_body.json()["type"].endswith(":idempotency-key-reused")
    listing = (await customers_api.get("/v1/customers", headers=auth(COORDINATOR))).json()
    assert len(listing["items"]) == 1


async def test_a_duplicate_external_ref_is_refused(
    customers_api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    await _create(customers_api, auth, external_ref="SF-001")
    response = await customers_api.post(
        "/v1/customers", json=new_customer(external_ref="SF-001"), headers=auth(COORDINATOR)
    )
    assert response.status_code == 422 and "SF-001" in response.json()["detail"]


async def test_addresses_and_contacts_are_managed_as_sub_resources(
    customers_api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    created = await _create(customers_api, auth)
    base = f"/v1/customers/{created['id']}"
    h = auth(COORDINATOR)
    site = await customers_api.post(
        f"{base}/addresses",
        json={
            "kind": "job_site",
            "label": "Yard 9",
            "line1": "CR 120",
            "city": "Pecos",
            "region": "TX",
            "postal_code": "79772",
        },
        headers=h,
    )
    assert site.status_code == 201
    moved = await customers_api.patch(
        f"{base}/addresses/{site.json()['id']}", json={"city": "Monahans"}, headers=h
    )
    assert moved.json()["city"] == "Monahans"
    contact = await customers_api.post(
        f"{base}/contacts", json={"name": "Pat", "email": "not-an-email"}, headers=h
    )
    assert contact.status_code == 422
    contact = await customers_api.post(
        f"{base}/contacts", json={"name": "Pat", "email": "pat@pbs.example"}, headers=h
    )
    assert contact.status_code == 201
    bill_to = next(a for a in created["addresses"] if a["kind"] == "bill_to")
    only_bill_to = await customers_api.delete(f"{base}/addresses/{bill_to['id']}", headers=h)
    assert only_bill_to.status_code == 422
    assert (
        await customers_api.delete(f"{base}/contacts/{contact.json()['id']}", headers=h)
    ).status_code == 204
    customer = (await customers_api.get(base, headers=h)).json()
    assert [a["city"] for a in customer["addresses"]] == ["Midland", "Odessa", "Monahans"]
    assert [c["name"] for c in customer["contacts"]] == ["Dana AP"]


async def test_exemption_certificate_with_its_document(
    customers_api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    created = await _create(customers_api, auth)
    base = f"/v1/customers/{created['id']}/exemption-certificates"
    refused = await customers_api.post(
        base, json={"jurisdiction": "TX", "certificate_number": "X"}, headers=auth(Role.SALES)
    )
    assert refused.status_code == 403
    cert = await customers_api.post(
        base,
        json={
            "jurisdiction": "TX",
            "certificate_number": "01-234",
            "issued_on": "2026-01-01",
            "expires_on": "2027-01-01",
        },
        headers=auth(COORDINATOR),
    )
    assert cert.status_code == 201 and cert.json()["has_document"] is False
    url = f"{base}/{cert.json()['id']}/document"
    not_pdf = await customers_api.put(
        url, files={"file": ("c.exe", b"MZ\x90\x00", "application/pdf")}, headers=auth(COORDINATOR)
    )
    assert not_pdf.status_code == 422
    upload = await customers_api.put(
        url,
        files={"file": ("cert.pdf", b"%PDF-1.7 cert", "application/pdf")},
        headers=auth(COORDINATOR),
    )
    assert upload.status_code == 200
    customer = (
        await customers_api.get(f"/v1/customers/{created['id']}", headers=auth(COORDINATOR))
    ).json()
    assert customer["exemption_certificates"][0]["has_document"] is True
    onboarding = {i["item"]: i["status"] for i in customer["onboarding"]}
    assert onboarding["exemption_certificate"] == "received"
    download = await customers_api.get(
        f"/v1/customers/{created['id']}/documents/{upload.json()['id']}", headers=auth(Role.AUDITOR)
    )
    assert (
        download.content == b"%PDF-1.7 cert"
        and download.headers["content-type"] == "application/pdf"
    )


async def test_a_too_large_document_is_refused_and_nothing_is_stored(
    customers_service: Service, customers_api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    created = await _create(customers_api, auth)
    customers_service.settings.max_document_bytes = 1000
    big = b"%PDF-" + b"0" * 2000
    response = await customers_api.post(
        f"/v1/customers/{created['id']}/documents",
        data={"kind": "w9"},
        files={"file": ("w9.pdf", big, "application/pdf")},
        headers=auth(COORDINATOR),
    )
    assert response.status_code == 413
    documents = await customers_api.get(
        f"/v1/customers/{created['id']}/documents", headers=auth(COORDINATOR)
    )
    assert documents.json() == []


async def test_onboarding_items_are_ticked_or_waived_with_a_note(
    customers_api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    created = await _create(customers_api, auth)
    url = f"/v1/customers/{created['id']}/onboarding"
    h = auth(Role.CREDIT_MANAGER)
    assert (
        await customers_api.put(f"{url}/w9", json={"status": "waived"}, headers=h)
    ).status_code == 422
    assert (
        await customers_api.put(
            f"{url}/w9", json={"status": "waived", "note": "foreign entity, W-8 on file"}, headers=h
        )
    ).status_code == 200
    assert (
        await customers_api.put(f"{url}/nonsense", json={"status": "received"}, headers=h)
    ).status_code == 404
    items = {i["item"]: i["status"] for i in (await customers_api.get(url, headers=h)).json()}
    assert items["w9"] == "waived"


async def test_every_change_publishes_the_full_snapshot(
    customers_service: Service, customers_api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    seen: list[EventEnvelope] = []

    async def spy(message: BusMessage) -> None:
        seen.append(EventEnvelope.from_bytes(message.value))

    customers_service.bus.subscribe("spy", ["ar.customers.v1"], spy)
    created = await _create(customers_api, auth)
    await customers_api.patch(
        f"/v1/customers/{created['id']}", json={"dba": "PBS West"}, headers=auth(COORDINATOR)
    )

    async def both_arrived() -> bool:
        return len(seen) == 2

    await eventually(both_arrived)
    registered, updated = seen
    assert (registered.type, updated.type) == ("customer.registered", "customer.updated")
    assert registered.customer_id == created["id"]
    assert updated.payload["customer"]["dba"] == "PBS West" and updated.payload["changed"] == [
        "dba"
    ]
    assert updated.payload["customer"]["revision"] == 2
    assert registered.correlation_id and registered.correlation_id != updated.correlation_id


async def test_a_credit_hold_from_credit_shows_on_the_customer(
    customers_service: Service, customers_api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    created = await _create(customers_api, auth)
    hold = EventEnvelope(
        type="credit.hold_placed",
        version=1,
        producer="credit",
        customer_id=created["id"],
        aggregate_id=created["id"],
        payload={
            "customer_id": created["id"],
            "reasons": ["exposure over limit"],
            "automatic": True,
        },
    )
    await customers_service.bus.publish(
        [BusMessage(topic="ar.credit.v1", key=created["id"], value=hold.to_bytes())]
    )
    url = f"/v1/customers/{created['id']}"
    customer = (await customers_api.get(url, headers=auth(COORDINATOR))).json()
    assert customer["credit_hold"] is True and customer["revision"] == 2
    history = (await customers_api.get(f"{url}/history", headers=auth(COORDINATOR))).json()
    assert history[-1]["actor"] == "system" and history[-1]["reason"] == "exposure over limit"


async def test_the_callers_correlation_id_travels_into_the_event_and_back(
    customers_service: Service, customers_api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    seen: list[EventEnvelope] = []

    async def spy(message: BusMessage) -> None:
        seen.append(EventEnvelope.from_bytes(message.value))

    customers_service.bus.subscribe("spy", ["ar.customers.v1"], spy)
    response = await customers_api.post(
        "/v1/customers",
        json=new_customer(),
        headers=auth(COORDINATOR) | {"X-Correlation-ID": "sales-sync-run-7"},
    )
    assert response.headers["x-correlation-id"] == "sales-sync-run-7"
    assert response.headers["x-request-id"]

    async def published() -> bool:
        return bool(seen)

    await eventually(published)
    assert seen[0].correlation_id == "sales-sync-run-7"


async def test_search_finds_a_percent_sign_as_typed_not_as_a_wildcard(
    customers_api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    await _create(customers_api, auth, legal_name="100% Pumping LLC")
    await _create(customers_api, auth, legal_name="1000 Pumps Inc")
    found = (
        await customers_api.get("/v1/customers", params={"q": "100%"}, headers=auth(Role.SALES))
    ).json()
    assert [c["legal_name"] for c in found["items"]] == ["100% Pumping LLC"]


@pytest.mark.parametrize(
    ("section", "field"),
    [
        ("contacts", "receives_invoices"),
        ("contacts", "name"),
        ("addresses", "kind"),
        ("addresses", "region"),
        ("addresses", "postal_code"),
    ],
)
async def test_a_patch_cannot_remove_a_field_every_record_has(
    customers_api: httpx.AsyncClient, auth: AuthHeaders, section: str, field: str
) -> None:
    created = await _create(customers_api, auth)
    child = created[section][0]
    url = f"/v1/customers/{created['id']}/{section}/{child['id']}"
    response = await customers_api.patch(url, json={field: None}, headers=auth(COORDINATOR))
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == [f"body.{field}"]
    customer = (
        await customers_api.get(f"/v1/customers/{created['id']}", headers=auth(COORDINATOR))
    ).json()
    assert customer[section][0] == child and customer["revision"] == 1


@pytest.mark.parametrize(
    "text",
    [
        "Evil\u202egnipmuP LLC",  # right-to-left override
        "Acme\u2066 Pumps",  # bidi isolate
        "\x1b[31mAcme\x1b[0m Pumps",  # ANSI colour
        "Acme\r\nX-Injected: yes",
        "Acme\x00Pumps",
    ],
    ids=["rlo", "isolate", "ansi", "crlf", "nul"],
)
async def test_text_fields_refuse_control_characters_and_bidi_overrides(
    customers_api: httpx.AsyncClient, auth: AuthHeaders, text: str
) -> None:
    h = auth(COORDINATOR)
    refused = await customers_api.post(
        "/v1/customers", json=new_customer(legal_name=text), headers=h
    )
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["body.legal_name"]
    created = await _create(customers_api, auth)
    base = f"/v1/customers/{created['id']}"
    changes = [
        ("patch", base, {"dba": text}),
        ("post", f"{base}/contacts", {"name": text}),
        ("patch", f"{base}/addresses/{created['addresses'][0]['id']}", {"line1": text}),
    ]
    if "\n" not in text:  # instructions may span lines; every other character stays refused
        changes.append(("patch", base, {"billing_profile": {"special_instructions": text}}))
    for method, url, body in changes:
        response = await customers_api.request(method, url, json=body, headers=h)
        assert response.status_code == 422, (url, body, response.text)
    search = await customers_api.get("/v1/customers", params={"q": text}, headers=h)
    assert search.status_code == 422
    assert (await customers_api.get(base, headers=h)).json()["revision"] == 1


async def test_notes_and_instructions_may_span_lines(
    customers_api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    created = await _create(customers_api, auth)
    instructions = "Mail the original to the yard.\nCopy to AP."
    response = await customers_api.patch(
        f"/v1/customers/{created['id']}",
        json={"billing_profile": {"special_instructions": instructions}},
        headers=auth(COORDINATOR),
    )
    assert response.status_code == 200
    assert response.json()["billing_profile"]["special_instructions"] == instructions


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("../../etc/w9.pdf", "w9.pdf"),
        ("..\\..\\w9.pdf", "w9.pdf"),
        ("..", "w9"),
        ("w\u202efdp.9.pdf", "wfdp.9.pdf"),
    ],
)
async def test_uploaded_file_names_lose_their_folders_and_control_characters(
    customers_api: httpx.AsyncClient, auth: AuthHeaders, sent: str, stored: str
) -> None:
    created = await _create(customers_api, auth)
    response = await customers_api.post(
        f"/v1/customers/{created['id']}/documents",
        data={"kind": "w9"},
        files={"file": (sent, b"%PDF-1.7 w9", "application/pdf")},
        headers=auth(COORDINATOR),
    )
    assert response.status_code == 201, response.text
    assert response.json()["filename"] == stored
    history = (
        await customers_api.get(f"/v1/customers/{created['id']}/history", headers=auth(COORDINATOR))
    ).json()
    assert history[-1]["changes"]["document"]["filename"] == stored


async def test_a_customer_with_a_known_tax_id_or_name_is_refused_unless_deliberate(
    customers_api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    first = await _create(customers_api, auth, legal_name="Permian Basin Services LLC")
    h = auth(COORDINATOR, subject="cara")
    same_ein = await customers_api.post(
        "/v1/customers",
        json=new_customer(legal_name="Basin Holdings", tax_id=first["tax_id"]),
        headers=h,
    )
    same_name = await customers_api.post(
        "/v1/customers", json=new_customer(legal_name="permian basin services, l.l.c."), headers=h
    )
    for refused, matched_on in ((same_ein, ["tax_id"]), (same_name, ["legal_name"])):
        assert refused.status_code == 409, refused.text
        problem = refused.json()
        assert problem["type"].endswith(":probable-duplicate-customer")
        assert first["account_number"] in problem["detail"]
        assert problem["existing_customer_id"] == first["id"]
        assert problem["duplicates"][0]["matched_on"] == matched_on
    listing = (await customers_api.get("/v1/customers", headers=h)).json()
    assert [c["id"] for c in listing["items"]] == [first["id"]]

    deliberate = await customers_api.post(
        "/v1/customers",
        json=new_customer(
            tax_id=first["tax_id"], duplicate_override={"reason": "separate division account"}
        ),
        headers=h,
    )
    assert deliberate.status_code == 201, deliberate.text
    history = (
        await customers_api.get(f"/v1/customers/{deliberate.json()['id']}/history", headers=h)
    ).json()
    override = history[0]["changes"]["duplicate_override"]
    assert override["reason"] == "separate division account"
    assert [d["account_number"] for d in override["duplicates"]] == [first["account_number"]]
    assert history[0]["actor"] == "cara"

    other = await _create(customers_api, auth, legal_name="Odessa Hot Shot Inc")
    renamed = await customers_api.patch(
        f"/v1/customers/{other['id']}", json={"legal_name": "Permian Basin Services"}, headers=h
    )
    assert renamed.status_code == 409


async def test_likely_duplicates_by_tax_id_similar_name_and_address(
    customers_api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    elsewhere = [
        {
            "kind": "bill_to",
            "line1": "9 Oak Rd",
            "city": "Pecos",
            "region": "TX",
            "postal_code": "79772",
        }
    ]
    first = await _create(customers_api, auth, legal_name="Permian Basin Services LLC")
    typo = await _create(
        customers_api, auth, legal_name="Permian Basin Servises LLC", addresses=elsewhere
    )
    same_street = await _create(
        customers_api,
        auth,
        legal_name="Midland Rentals Co",
        addresses=[
            {
                "kind": "bill_to",
                "line1": "100 Main Street",
                "city": "Midland",
                "region": "TX",
                "postal_code": "79701-1234",
            }
        ],
    )
    await _create(customers_api, auth, legal_name="Unrelated Trucking", addresses=elsewhere)
    h = auth(Role.SALES)
    found = await customers_api.get(
        "/v1/customers/duplicates", params={"customer_id": first["id"]}, headers=h
    )
    assert found.status_code == 200, found.text
    by_account = {d["account_number"]: d for d in found.json()}
    assert set(by_account) == {typo["account_number"], same_street["account_number"]}
    assert by_account[typo["account_number"]]["matched_on"] == ["similar_name"]
    assert 85 <= by_account[typo["account_number"]]["name_similarity"] < 100
    assert by_account[same_street["account_number"]]["matched_on"] == ["address"]

    before_registering = await customers_api.get(
        "/v1/customers/duplicates",
        params={"legal_name": "The Permian Basin Services, Inc.", "tax_id": first["tax_id"]},
        headers=h,
    )
    best = before_registering.json()[0]
    assert best["id"] == first["id"]
    assert best["matched_on"] == ["name", "tax_id"] and best["name_similarity"] == 100
    nothing = await customers_api.get("/v1/customers/duplicates", headers=h)
    assert nothing.status_code == 422


async def test_terms_and_currency_change_only_when_another_person_approves(
    customers_api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    created = await _create(customers_api, auth)
    url = f"/v1/customers/{created['id']}"
    net_45 = {"kind": "net", "days": 45}
    for role in (COORDINATOR, Role.INTEGRATION):
        direct = await customers_api.patch(url, json={"payment_terms": net_45}, headers=auth(role))
        assert direct.status_code == 422, direct.text
    by_integration = await customers_api.post(
        f"{url}/change-requests",
        json={"payment_terms": net_45, "reason": "renegotiated"},
        headers=auth(Role.INTEGRATION),
    )
    assert by_integration.status_code == 403

    requested = await customers_api.post(
        f"{url}/change-requests",
        json={"payment_terms": net_45, "currency": "CAD", "reason": "moved to Alberta"},
        headers=auth(Role.CREDIT_MANAGER, subject="cm-ruiz"),
    )
    assert requested.status_code == 201, requested.text
    approve = f"{url}/change-requests/{requested.json()['id']}/approve"
    unchanged = (await customers_api.get(url, headers=auth(COORDINATOR))).json()
    assert (unchanged["payment_terms"]["days"], unchanged["currency"]) == (30, "USD")

    alone = await customers_api.post(approve, headers=auth(Role.CREDIT_MANAGER, subject="cm-ruiz"))
    assert alone.status_code == 403, alone.text
    approved = await customers_api.post(
        approve, headers=auth(Role.AR_SUPERVISOR, subject="sup-lee")
    )
    assert approved.status_code == 200, approved.text
    assert (approved.json()["payment_terms"]["days"], approved.json()["currency"]) == (45, "CAD")
    again = await customers_api.post(approve, headers=auth(Role.AR_SUPERVISOR, subject="sup-lee"))
    assert again.status_code == 409
    listed = await customers_api.get(f"{url}/change-requests", headers=auth(Role.AUDITOR))
    assert [r["approved_by"] for r in listed.json()] == ["sup-lee"]
