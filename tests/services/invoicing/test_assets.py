"""The asset register: dated moves kept for ever, where an asset was on any day, what is on
rent where, and imports from CSV and XLSX that take every row or none."""

import io
import uuid
from datetime import date
from typing import Any

import httpx
from openpyxl import Workbook

from services.invoicing.models.rentals import AssetEvent
from shared.auth import Role
from shared.service import Service
from tests.conftest import AuthHeaders


def asset_body(asset_id: str, **overrides: Any) -> dict[str, Any]:
    body = {
        "asset_id": asset_id,
        "serial": f"SN-{asset_id}",
        "asset_class": "frac tank 500 bbl",
        "description": "500 bbl steel frac tank",
        "owning_district": "permian",
        "registered_on": "2026-01-05",
    }
    return body | overrides


async def register(api: httpx.AsyncClient, auth: AuthHeaders, asset_id: str, **kw: Any) -> None:
    response = await api.post(
        "/v1/assets", json=asset_body(asset_id, **kw), headers=auth(Role.AR_COORDINATOR)
    )
    assert response.status_code == 201, response.text


async def move(
    api: httpx.AsyncClient, auth: AuthHeaders, asset_id: str, **body: Any
) -> httpx.Response:
    return await api.post(
        f"/v1/assets/{asset_id}/moves", json=body, headers=auth(Role.AR_COORDINATOR)
    )


async def test_the_register_answers_where_an_asset_was_on_any_day(
    api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    customer = str(uuid.uuid4())
    await register(api, auth, "FT-1")
    moves = [
        {"status": "in_transit", "effective_on": "2026-03-01"},
        {
            "status": "on_rent",
            "effective_on": "2026-03-02",
            "customer_id": customer,
            "job_site": "Yard 4",
            "district": "permian",
        },
        {"status": "in_repair", "effective_on": "2026-04-12", "note": "leaking valve"},
        {"status": "available", "effective_on": "2026-04-20", "district": "eagle-ford"},
    ]
    for body in moves:
        response = await move(api, auth, "FT-1", **body)
        assert response.status_code == 201, response.text

    async def state_on(day: str) -> dict[str, Any]:
        response = await api.get(f"/v1/assets/FT-1?as_of={day}", headers=auth(Role.AUDITOR))
        assert response.status_code == 200, response.text
        return response.json()["place"]

    assert (await state_on("2026-02-01"))["status"] == "available"
    on_rent = await state_on("2026-03-20")
    assert (on_rent["status"], on_rent["customer_id"], on_rent["job_site"]) == (
        "on_rent",
        customer,
        "Yard 4",
    )
    assert (await state_on("2026-04-12"))["status"] == "in_repair"
    last = await state_on("2026-05-01")
    assert (last["status"], last["district"], last["since"]) == (
        "available",
        "eagle-ford",
        "2026-04-20",
    )
    before = await api.get("/v1/assets/FT-1?as_of=2026-01-01", headers=auth(Role.AUDITOR))
    assert before.json()["place"] is None
    history = await api.get("/v1/assets/FT-1/history", headers=auth(Role.AUDITOR))
    assert [e["status"] for e in history.json()] == [
        "available",
        "in_transit",
        "on_rent",
        "in_repair",
        "available",
    ]


async def test_what_is_on_rent_at_a_customer_job_site_or_district_as_of_a_day(
    api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    acme, other = str(uuid.uuid4()), str(uuid.uuid4())
    for asset_id in ("P-1", "P-2", "P-3"):
        await register(api, auth, asset_id, asset_class="trash pump 6in")
    site = {"status": "on_rent", "job_site": "Yard 4"}
    await move(api, auth, "P-1", effective_on="2026-03-02", customer_id=acme, **site)
    await move(api, auth, "P-2", effective_on="2026-03-10", customer_id=acme, **site)
    await move(api, auth, "P-2", effective_on="2026-03-20", status="available")
    await move(
        api,
        auth,
        "P-3",
        effective_on="2026-03-05",
        customer_id=other,
        job_site="Pad 9",
        status="on_rent",
        district="delaware",
    )

    async def on_rent(**filters: str) -> list[str]:
        response = await api.get(
            "/v1/assets", params={"status": "on_rent", **filters}, headers=auth(Role.SALES)
        )
        assert response.status_code == 200, response.text
        return [row["asset_id"] for row in response.json()]

    assert await on_rent(as_of="2026-03-15", customer_id=acme) == ["P-1", "P-2"]
    assert await on_rent(as_of="2026-03-25", customer_id=acme) == ["P-1"]
    assert await on_rent(as_of="2026-03-25", job_site="yard 4") == ["P-1"]
    assert await on_rent(as_of="2026-03-25", district="delaware") == ["P-3"]
    assert await on_rent(as_of="2026-03-01") == []


async def test_the_past_of_the_register_never_changes(
    api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    await register(api, auth, "T-1")
    assert (
        await move(api, auth, "T-1", status="in_repair", effective_on="2026-03-10")
    ).status_code == 201
    backdated = await move(api, auth, "T-1", status="available", effective_on="2026-03-09")
    assert backdated.status_code == 422
    assert "before it" in backdated.json()["detail"]
    no_site = await move(
        api, auth, "T-1", status="on_rent", effective_on="2026-03-11", customer_id=str(uuid.uuid4())
    )
    assert no_site.status_code == 422
    await move(api, auth, "T-1", status="retired", effective_on="2026-03-12")
    assert (
        await move(api, auth, "T-1", status="available", effective_on="2026-03-13")
    ).status_code == 422
    again = await api.post("/v1/assets", json=asset_body("T-1"), headers=auth(Role.AR_COORDINATOR))
    assert again.status_code == 409
    unknown = await move(api, auth, "NOPE", status="available")
    assert unknown.status_code == 404
    assert (
        await api.post("/v1/assets", json=asset_body("X"), headers=auth(Role.SALES))
    ).status_code == 403


async def test_a_change_recorded_after_a_later_dated_one_takes_its_place_by_its_date(
    api: httpx.AsyncClient, auth: AuthHeaders, invoicing_service: Service
) -> None:
    """The API refuses a back-dated move, but the register may still hold one recorded out of
    date order (carried over from an older register): the as-of answers and the history place
    it by its effective date, not by when it was recorded."""
    customer = uuid.uuid4()
    await register(api, auth, "BD-1")
    await move(api, auth, "BD-1", status="in_repair", effective_on="2026-03-20")
    async with invoicing_service.db.transaction() as session:
        session.add(
            AssetEvent(
                asset_id="BD-1",
                sequence=3,
                effective_on=date(2026, 3, 1),
                status="on_rent",
                district="permian",
                customer_id=customer,
                job_site="Yard 4",
                recorded_by="carried over",
            )
        )

    async def place_on(day: str) -> dict[str, Any]:
        response = await api.get(f"/v1/assets/BD-1?as_of={day}", headers=auth(Role.AUDITOR))
        assert response.status_code == 200, response.text
        return response.json()["place"]

    assert (await place_on("2026-03-10"))["status"] == "on_rent"
    assert (await place_on("2026-03-25"))["status"] == "in_repair"
    listed = await api.get("/v1/assets", params={"as_of": "2026-03-25"}, headers=auth(Role.AUDITOR))
    assert [(p["asset_id"], p["status"]) for p in listed.json()] == [("BD-1", "in_repair")]
    on_rent = await api.get(
        "/v1/assets",
        params={"as_of": "2026-03-10", "customer_id": str(customer)},
        headers=auth(Role.AUDITOR),
    )
    assert [p["asset_id"] for p in on_rent.json()] == ["BD-1"]
    history = await api.get("/v1/assets/BD-1/history", headers=auth(Role.AUDITOR))
    assert [e["status"] for e in history.json()] == ["available", "on_rent", "in_repair"]
    # The next change is numbered after the highest sequence, dated after the latest date.
    assert (
        await move(api, auth, "BD-1", status="available", effective_on="2026-03-15")
    ).status_code == 422
    assert (
        await move(api, auth, "BD-1", status="available", effective_on="2026-03-30")
    ).status_code == 201


def upload(name: str, content: bytes) -> dict[str, Any]:
    return {"file": (name, content)}


async def test_a_csv_import_names_every_bad_row_and_imports_nothing(
    api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    await register(api, auth, "OLD-1")
    csv = (
        b"asset_id,serial,class,description,district,status,on\n"
        b"G-1,S1,generator 45 kva,,permian,available,2026-02-01\n"
        b",S2,generator 45 kva,,permian,,\n"
        b"G-1,S3,generator 45 kva,,permian,,\n"
        b"OLD-1,S4,generator 45 kva,,permian,,\n"
        b"G-5,S5,generator 45 kva,,permian,lost,\n"
    )
    response = await api.post(
        "/v1/assets/import", files=upload("assets.csv", csv), headers=auth(Role.AR_COORDINATOR)
    )
    assert response.status_code == 422, response.text
    fields = [(e["field"], e["code"]) for e in response.json()["errors"]]
    assert fields == [
        ("row 3.asset_id", "missing"),
        ("row 4.asset_id", "duplicate"),
        ("row 5.asset_id", "duplicate"),
        ("row 6.status", "enum"),
    ]
    listed = await api.get("/v1/assets?as_of=2026-06-01", headers=auth(Role.AUDITOR))
    assert [row["asset_id"] for row in listed.json()] == ["OLD-1"]


async def test_an_xlsx_import_registers_every_row(
    api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Asset_ID", "Class", "District", "Status", "On"])
    sheet.append(["TR-1", "trailer", "permian", "available", "2026-02-01"])
    sheet.append(["TR-2", "trailer", "delaware", "in_repair", "2026-02-03"])
    content = io.BytesIO()
    book.save(content)
    response = await api.post(
        "/v1/assets/import",
        files=upload("assets.xlsx", content.getvalue()),
        headers=auth(Role.INTEGRATION),
    )
    assert response.status_code == 201, response.text
    assert response.json() == {"imported": 2, "asset_ids": ["TR-1", "TR-2"]}
    repair = await api.get(
        "/v1/assets",
        params={"as_of": "2026-02-10", "status": "in_repair"},
        headers=auth(Role.AUDITOR),
    )
    assert [(r["asset_id"], r["district"]) for r in repair.json()] == [("TR-2", "delaware")]
    broken = await api.post(
        "/v1/assets/import",
        files=upload("broken.xlsx", b"PK\x03\x04 not a workbook"),
        headers=auth(Role.INTEGRATION),
    )
    assert broken.status_code == 422
