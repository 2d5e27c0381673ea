"""Rental contracts billed in the billing runs beside tickets: each cycle once, charge to date
less billed, taxed as rentals at the job site; an early return after billing in advance is
credited by a credit memo linked to the invoice; the sales system's rental events."""

import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from shared.auth import Role
from shared.bus import BusMessage, InProcessBus
from shared.events.catalog import dead_letter_topic, topic_for
from shared.events.customers import CustomerSnapshot
from shared.events.envelope import EventEnvelope
from shared.events.sales import SalesAssetMoved, SalesRentalEnded, SalesRentalStarted
from tests.conftest import AuthHeaders
from tests.services.invoicing.conftest import (
    invoices_of_run,
    issue_run,
    ready_ticket,
    run_billing,
    ticket_body,
)
from tests.support import eventually

pytestmark = pytest.mark.usefixtures("taxed")

SALES_TOPIC = topic_for("sales")
PUMP_RATES = {"daily": "100.00", "weekly": "300.00", "four_weeks": "800.00"}


async def register_pump(api: httpx.AsyncClient, auth: AuthHeaders, asset_id: str) -> None:
    response = await api.post(
        "/v1/assets",
        json={
            "asset_id": asset_id,
            "asset_class": "trash pump 6in",
            "owning_district": "permian",
            "registered_on": "2026-01-05",
        },
        headers=auth(Role.AR_COORDINATOR),
    )
    assert response.status_code == 201, response.text


async def open_contract(
    api: httpx.AsyncClient, auth: AuthHeaders, customer: CustomerSnapshot, **overrides: Any
) -> dict[str, Any]:
    await register_pump(api, auth, "PUMP-1")
    body = {
        "contract_number": f"RC-{uuid.uuid4().hex[:6]}",
        "customer_id": str(customer.id),
        "business_district": "permian",
        "job_site": "Yard 4",
        "po_number": "PO-77",
        "cycle": "28_day",
        "timing": "arrears",
        "lines": [{"asset_id": "PUMP-1", **PUMP_RATES}],
    } | overrides
    response = await api.post("/v1/rental-contracts", json=body, headers=auth(Role.SALES))
    assert response.status_code == 201, response.text
    return response.json()


async def line_action(
    api: httpx.AsyncClient, auth: AuthHeaders, contract: dict[str, Any], action: str, on: str
) -> dict[str, Any]:
    response = await api.post(
        f"/v1/rental-contracts/{contract['id']}/lines/1/{action}",
        json={"on": on},
        headers=auth(Role.SALES),
    )
    assert response.status_code == 200, response.text
    return response.json()


async def bill(api: httpx.AsyncClient, auth: AuthHeaders, day: str) -> list[dict[str, Any]]:
    run = await run_billing(api, auth, cut_off=day, invoice_date=day)
    await issue_run(api, auth, run["id"])
    return await invoices_of_run(api, auth, run["id"])


async def test_28_day_cycles_in_arrears_bill_charge_to_date_less_billed_beside_tickets(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot
) -> None:
    contract = await open_contract(api, auth, acme)
    await line_action(api, auth, contract, "on-rent", "2026-03-02")
    closed = datetime(2026, 3, 29, 15, tzinfo=UTC).isoformat()
    await ready_ticket(
        api,
        auth,
        ticket_body(
            acme.id, closed_at=closed, service_start="2026-03-28", service_end="2026-03-29"
        ),
    )

    assert await bill(api, auth, "2026-03-28") == []  # cycle 1 ends on 29 March
    [first] = await bill(api, auth, "2026-03-29")
    rent = [line for line in first["lines"] if line["service_line"] == "rental"]
    assert [line["amount"] for line in rent] == ["800.00"]
    assert rent[0]["taxability"] == "rental"
    assert "28 days at 800.00" in rent[0]["description"]
    assert len(first["lines"]) == 3  # the ticket's two lines on the same invoice
    # Rent is taxed as a rental in Midland: 6.25% + 0.5% + 1.5% of 800.00 = 66.00.
    rental_tax = sum(
        float(t["taxable_amount"]) for t in first["taxes"] if t["jurisdiction"] == "TX"
    )
    assert rental_tax == pytest.approx(800 + 120.10)

    assert await bill(api, auth, "2026-03-29") == []  # a rerun bills nothing twice
    await line_action(api, auth, contract, "off-rent", "2026-04-12")
    [second] = await bill(api, auth, "2026-04-30")
    assert [line["amount"] for line in second["lines"]] == ["600.00"]
    assert "less 800.00 billed before = 600.00" in second["lines"][0]["description"]
    assert await bill(api, auth, "2026-05-31") == []

    read = await api.get(f"/v1/rental-contracts/{contract['id']}", headers=auth(Role.AUDITOR))
    line = read.json()["lines"][0]
    assert (line["billed"], line["accrued_unbilled"]) == ("1400.00", "0.00")
    assert [(c["cycle_number"], c["amount"]) for c in line["charges"]] == [
        (1, "800.00"),
        (2, "600.00"),
    ]
    pump = await api.get("/v1/assets/PUMP-1?as_of=2026-04-12", headers=auth(Role.AUDITOR))
    assert pump.json()["place"]["status"] == "available"


async def test_an_early_return_after_billing_in_advance_is_credited_on_that_invoice(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot
) -> None:
    contract = await open_contract(
        api,
        auth,
        acme,
        timing="advance",
        damage_waiver_percent="10",
        lines=[{"asset_id": "PUMP-1", "delivery_charge": "150.00", **PUMP_RATES}],
    )
    await line_action(api, auth, contract, "on-rent", "2026-03-02")
    [invoice] = await bill(api, auth, "2026-03-02")
    assert [(line["taxability"], line["amount"]) for line in invoice["lines"]] == [
        ("rental", "800.00"),
        ("rental", "80.00"),
        ("delivery", "150.00"),
    ]
    after = await line_action(api, auth, contract, "off-rent", "2026-03-11")
    credit = next(c for c in after["lines"][0]["charges"] if c["kind"] == "credit")
    assert credit["amount"] == "-300.00"
    memo = await api.get(f"/v1/credit-memos/{credit['credit_memo_id']}", headers=auth(Role.AUDITOR))
    assert memo.status_code == 200, memo.text
    assert memo.json()["invoice_id"] == invoice["id"]
    assert memo.json()["subtotal"] == "330.00"  # 300.00 rent and 30.00 of its damage waiver
    assert await bill(api, auth, "2026-04-30") == []


async def test_a_contract_chooses_how_a_partial_first_month_and_the_return_cycle_are_charged(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot
) -> None:
    rates = {"daily": "60.00", "monthly": "900.00", "month_days": 31}
    contract = await open_contract(
        api,
        auth,
        acme,
        cycle="calendar_month",
        timing="advance",
        proration_start="prorated",
        proration_end="full_cycle",
        lines=[{"asset_id": "PUMP-1", **rates}],
    )
    assert (contract["proration_start"], contract["proration_end"]) == ("prorated", "full_cycle")
    await line_action(api, auth, contract, "on-rent", "2026-03-10")
    [march] = await bill(api, auth, "2026-03-10")
    # March from the 10th: 22 of its 31 days of the month's 900.00.
    assert [line["amount"] for line in march["lines"]] == ["638.71"]
    assert "first month prorated 22/31 of 900.00" in march["lines"][0]["description"]
    [april] = await bill(api, auth, "2026-04-01")
    assert [line["amount"] for line in april["lines"]] == ["900.00"]
    # Back on 6 April: April is charged in full, so nothing billed in advance is credited.
    after = await line_action(api, auth, contract, "off-rent", "2026-04-06")
    assert [c["kind"] for c in after["lines"][0]["charges"]] == ["rent", "rent"]
    assert after["lines"][0]["billed"] == "1538.71"

    refused = await api.post(
        "/v1/rental-contracts",
        json={
            "contract_number": "RC-28",
            "customer_id": str(acme.id),
            "business_district": "permian",
            "job_site": "Yard 4",
            "cycle": "28_day",
            "proration_start": "full_cycle",
            "lines": [{"asset_class": "barricade", "daily": "2.00"}],
        },
        headers=auth(Role.SALES),
    )
    assert refused.status_code == 422
    assert "calendar-month" in refused.json()["detail"]
    unknown = await api.post(
        "/v1/rental-contracts",
        json={
            "contract_number": "RC-29",
            "customer_id": str(acme.id),
            "business_district": "permian",
            "job_site": "Yard 4",
            "proration_end": "thirty_day",
            "lines": [{"asset_class": "barricade", "daily": "2.00"}],
        },
        headers=auth(Role.SALES),
    )
    assert unknown.status_code == 422


def sales_message(event_type: str, payload: dict[str, Any], key: str) -> BusMessage:
    envelope = EventEnvelope(
        type=event_type,
        version=1,
        producer="sales",
        customer_id=key,
        aggregate_id=str(payload.get("contract_number", "?")),
        payload=payload,
    )
    return BusMessage(
        topic=SALES_TOPIC,
        key=key,
        value=envelope.to_bytes(),
        headers=(("event_type", event_type.encode()),),
    )


async def test_sales_events_put_lines_on_and_off_rent_and_bad_ones_are_dead_lettered(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot, bus: InProcessBus
) -> None:
    contract = await open_contract(api, auth, acme)
    line = {"contract_number": contract["contract_number"], "line_number": 1}
    key = str(acme.id)
    started = line | {"customer_id": key, "on_rent_date": "2026-03-02"}
    await bus.publish(
        [
            sales_message(SalesRentalStarted.event_type, started, key),
            sales_message(SalesRentalStarted.event_type, started, key),  # a repeat: no-op
            sales_message(
                SalesRentalEnded.event_type,
                line | {"customer_id": key, "off_rent_date": "2026-03-11"},
                key,
            ),
            sales_message(
                SalesAssetMoved.event_type,
                {"asset_id": "PUMP-1", "status": "in_repair", "effective_on": "2026-03-12"},
                "PUMP-1",
            ),
        ]
    )
    assert not bus.retained[dead_letter_topic(SALES_TOPIC)]
    read = await api.get(f"/v1/rental-contracts/{contract['id']}", headers=auth(Role.AUDITOR))
    dates = read.json()["lines"][0]
    assert (dates["on_rent_date"], dates["off_rent_date"]) == ("2026-03-02", "2026-03-11")
    history = await api.get("/v1/assets/PUMP-1/history", headers=auth(Role.AUDITOR))
    assert [e["status"] for e in history.json()] == [
        "available",
        "on_rent",
        "available",
        "in_repair",
    ]

    await bus.publish(
        [
            sales_message(
                SalesRentalStarted.event_type,
                started | {"contract_number": "NO-SUCH"},
                key,
            ),
            sales_message(SalesRentalEnded.event_type, line | {"customer_id": key}, key),
            sales_message(
                SalesRentalStarted.event_type, started | {"customer_id": str(uuid.uuid4())}, "x"
            ),
        ]
    )
    errors = [m.header("dlq.error") or "" for m in bus.retained[dead_letter_topic(SALES_TOPIC)]]
    assert len(errors) == 3
    assert "no rental contract NO-SUCH" in errors[0]
    assert "off_rent_date" in errors[1]
    assert "no rental contract" in errors[2]


async def test_contracts_refuse_what_cannot_be_billed(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot
) -> None:
    contract = await open_contract(api, auth, acme)
    again = await api.post(
        "/v1/rental-contracts",
        json={
            "contract_number": contract["contract_number"],
            "customer_id": str(acme.id),
            "business_district": "permian",
            "job_site": "Yard 4",
            "lines": [{"asset_class": "barricade", "quantity": 10, "daily": "2.00"}],
        },
        headers=auth(Role.SALES),
    )
    assert again.status_code == 409
    no_rate = await api.post(
        "/v1/rental-contracts",
        json={
            "contract_number": "RC-X",
            "customer_id": str(acme.id),
            "business_district": "permian",
            "job_site": "Yard 4",
            "lines": [{"asset_class": "barricade"}],
        },
        headers=auth(Role.SALES),
    )
    assert no_rate.status_code == 422
    unknown = await api.post(
        "/v1/rental-contracts",
        json={
            "contract_number": "RC-Y",
            "customer_id": str(uuid.uuid4()),
            "business_district": "permian",
            "job_site": "Yard 4",
            "lines": [{"asset_class": "barricade", "daily": "2.00"}],
        },
        headers=auth(Role.SALES),
    )
    assert unknown.status_code == 422
    await line_action(api, auth, contract, "on-rent", "2026-03-02")
    twice = await api.post(
        f"/v1/rental-contracts/{contract['id']}/lines/1/on-rent",
        json={"on": "2026-03-03"},
        headers=auth(Role.SALES),
    )
    assert twice.status_code == 422
    before = await api.post(
        f"/v1/rental-contracts/{contract['id']}/lines/1/off-rent",
        json={"on": "2026-03-01"},
        headers=auth(Role.SALES),
    )
    assert before.status_code == 422


def published(bus: InProcessBus, event_type: str) -> list[dict[str, Any]]:
    return [
        json.loads(m.value)["payload"]
        for m in bus.retained[topic_for("invoicing")]
        if m.header("event_type") == event_type
    ]


async def relayed(bus: InProcessBus, event_type: str, count: int) -> list[dict[str, Any]]:
    """The first `count` events of the type, once the outbox relay has sent them."""

    async def enough() -> list[dict[str, Any]]:
        found = published(bus, event_type)
        return found if len(found) >= count else []

    return (await eventually(enough))[:count]


async def test_rental_events_carry_the_accrued_figure_credit_and_collections_keep(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot, bus: InProcessBus
) -> None:
    contract = await open_contract(api, auth, acme, timing="advance")
    await line_action(api, auth, contract, "on-rent", "2026-03-02")
    [started] = await relayed(bus, "rental.started", 1)
    assert (started["contract_number"], started["asset_id"], started["on_rent_date"]) == (
        contract["contract_number"],
        "PUMP-1",
        "2026-03-02",
    )
    # Nothing billed yet: all the rent to today is accrued (at least 28 days' worth).
    [on_rent] = await relayed(bus, "rental.accrued", 1)
    assert Decimal(on_rent["rental_unbilled"]) >= 800
    await bill(api, auth, "2026-03-02")
    after_off = await line_action(api, auth, contract, "off-rent", "2026-03-11")
    [ended] = await relayed(bus, "rental.ended", 1)
    credit = next(c for c in after_off["lines"][0]["charges"] if c["kind"] == "credit")
    assert ended["credit_memo_id"] == credit["credit_memo_id"]
    # Issued: still out to today, so the rent past the 800.00 billed accrues. Off rent: 800.00
    # billed in advance for 9 days that cost 500.00, 300.00 credited: nothing accrued any more.
    *_, issued, back = await relayed(bus, "rental.accrued", 3)
    assert Decimal(issued["rental_unbilled"]) == Decimal(on_rent["rental_unbilled"]) - 800
    assert (back["rental_unbilled"], back["storage_unbilled"]) == ("0.00", "0.00")


async def test_a_meter_read_between_cycles_bills_the_excess_hours_in_the_next_cycle(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot
) -> None:
    metered = {"excess_rate": "25.00", "per_four_weeks": "160"}
    contract = await open_contract(
        api,
        auth,
        acme,
        lines=[
            {"asset_id": "PUMP-1", "meter": metered, **PUMP_RATES},
            {"asset_class": "light tower", **PUMP_RATES},
        ],
    )
    url = f"/v1/rental-contracts/{contract['id']}/lines"

    async def read(line: int, read_on: str, hours: str) -> httpx.Response:
        return await api.post(
            f"{url}/{line}/meter-readings",
            json={"read_on": read_on, "hours": hours},
            headers=auth(Role.SALES),
        )

    assert (await read(1, "2026-03-20", "150")).status_code == 422  # not on rent yet
    await line_action(api, auth, contract, "on-rent", "2026-03-02")
    assert (await read(1, "2026-03-20", "150")).status_code == 200
    assert (await read(1, "2026-03-25", "120")).status_code == 422  # a meter never runs back
    assert (await read(2, "2026-03-20", "150")).status_code == 422  # no meter allowance
    [first] = await bill(api, auth, "2026-03-29")
    assert [line["amount"] for line in first["lines"]] == ["800.00"]  # 150 of 160 included

    assert (await read(1, "2026-04-20", "350")).status_code == 200
    [second] = await bill(api, auth, "2026-04-26")
    assert [line["amount"] for line in second["lines"]] == ["800.00", "750.00"]
    assert "350 hours on the meter, 320 included" in second["lines"][1]["description"]
