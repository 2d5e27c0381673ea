"""Rental reports: on rent per customer, job site and district (JSON and XLSX agree),
utilization per class, and the leakage report with the dollars at risk."""

import io
import uuid

import httpx
import pytest
from openpyxl import load_workbook

from shared.auth import Role
from shared.events.customers import CustomerSnapshot
from tests.conftest import AuthHeaders
from tests.services.invoicing.conftest import issue_run, run_billing
from tests.services.invoicing.test_assets import move, register
from tests.services.invoicing.test_rentals import PUMP_RATES

pytestmark = pytest.mark.usefixtures("taxed")


async def test_on_rent_per_group_as_json_and_xlsx_with_the_same_numbers(
    api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    acme, other = str(uuid.uuid4()), str(uuid.uuid4())
    for asset_id, asset_class in (("P-1", "pump"), ("P-2", "pump"), ("T-1", "tank")):
        await register(api, auth, asset_id, asset_class=asset_class)
    site = {"status": "on_rent", "effective_on": "2026-03-02"}
    await move(api, auth, "P-1", customer_id=acme, job_site="Yard 4", **site)
    await move(api, auth, "T-1", customer_id=acme, job_site="Pad 9", **site)
    await move(api, auth, "P-2", customer_id=other, job_site="Pad 1", district="delaware", **site)
    params = {"as_of": "2026-03-10", "group_by": "district"}
    groups = (
        await api.get("/v1/rental-reports/on-rent", params=params, headers=auth(Role.AUDITOR))
    ).json()
    assert [(g["key"], g["assets_on_rent"], g["asset_classes"]) for g in groups] == [
        ("delaware", 1, {"pump": 1}),
        ("permian", 2, {"pump": 1, "tank": 1}),
    ]
    sheet = load_workbook(
        io.BytesIO(
            (
                await api.get(
                    "/v1/rental-reports/on-rent",
                    params=params | {"format": "xlsx"},
                    headers=auth(Role.AUDITOR),
                )
            ).content
        )
    ).active
    assert sheet is not None
    assert [list(r) for r in sheet.iter_rows(min_row=2, values_only=True)] == [
        ["delaware", "pump", 1],
        ["permian", "pump", 1],
        ["permian", "tank", 1],
        ["TOTAL", None, 3],
    ]
    by_site = (
        await api.get(
            "/v1/rental-reports/on-rent",
            params={"as_of": "2026-03-10", "group_by": "job_site"},
            headers=auth(Role.AUDITOR),
        )
    ).json()
    assert sorted(g["key"] for g in by_site) == sorted(
        [f"{acme}/Yard 4", f"{acme}/Pad 9", f"{other}/Pad 1"]
    )

    # March 1-31: P-1 and P-2 out 30 of 31 days each (registered in January).
    use = (
        await api.get(
            "/v1/rental-reports/utilization",
            params={"from": "2026-03-01", "to": "2026-03-31"},
            headers=auth(Role.AUDITOR),
        )
    ).json()
    assert [
        (u["asset_class"], u["days_owned"], u["days_on_rent"], u["utilization"]) for u in use
    ] == [
        ("pump", 62, 60, "0.9677"),
        ("tank", 31, 30, "0.9677"),
    ]


async def test_the_leakage_report_finds_rent_not_billed_billed_but_back_and_no_contract(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot
) -> None:
    for asset_id in ("L-1", "L-2", "L-3"):
        await register(api, auth, asset_id)
    contracts = []
    for asset_id in ("L-1", "L-2"):
        response = await api.post(
            "/v1/rental-contracts",
            json={
                "contract_number": f"RC-{asset_id}",
                "customer_id": str(acme.id),
                "business_district": "permian",
                "job_site": "Yard 4",
                "lines": [{"asset_id": asset_id, **PUMP_RATES}],
            },
            headers=auth(Role.SALES),
        )
        assert response.status_code == 201, response.text
        contracts.append(response.json())
        on = await api.post(
            f"/v1/rental-contracts/{contracts[-1]['id']}/lines/1/on-rent",
            json={"on": "2026-03-02"},
            headers=auth(Role.SALES),
        )
        assert on.status_code == 200, on.text
    run = await run_billing(api, auth, cut_off="2026-03-29", invoice_date="2026-03-29")
    await issue_run(api, auth, run["id"])
    # L-2 comes back to the yard without anyone taking its line off rent.
    await move(api, auth, "L-2", status="available", effective_on="2026-03-10")
    # L-3 is out at a customer's site with no contract at all.
    await move(
        api,
        auth,
        "L-3",
        status="on_rent",
        effective_on="2026-03-05",
        customer_id=str(acme.id),
        job_site="Yard 4",
    )

    report = (
        await api.get(
            "/v1/rental-reports/leakage", params={"as_of": "2026-04-30"}, headers=auth(Role.AUDITOR)
        )
    ).json()
    found = [(leak["kind"], leak["asset_id"], leak["dollars_at_risk"]) for leak in report["leaks"]]
    # Cycle 2 (30 March to 26 April) is due and not billed: 59 days to 30 April cost
    # 2 × 800.00 + 3 days = 1,900.00, of which 800.00 was billed. L-2 was billed 800.00 for 28
    # days, but the register has had it back since 10 March: 8 days cost 400.00, 400.00 beyond.
    assert found == [
        ("unbilled", "L-1", "1100.00"),
        ("unbilled", "L-2", "1100.00"),
        ("billed_but_back", "L-2", "400.00"),
        ("no_contract", "L-3", None),
    ]
    assert report["dollars_at_risk"] == "2600.00"
    sales = await api.get("/v1/rental-reports/leakage", headers=auth(Role.SALES))
    assert sales.status_code == 403
