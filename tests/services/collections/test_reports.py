"""Reports: aging exports and drill-down, the unbilled monitor, the over-60 management report and
statements of account."""

import csv
import io
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import httpx
from openpyxl import load_workbook
from pypdf import PdfReader

from shared.auth import Role
from shared.bus import InProcessBus
from shared.clock import Clock
from shared.events.invoicing import RentalAccrued
from shared.service import Service
from tests.conftest import AuthHeaders
from tests.services.collections.books import overdue_customer, publish

# The product's business date (the company's zone), wherever the test session's clock is.
TODAY = Clock().today()
# These tests close months without working the close checklist (test_close_checklist does).
OVERRIDE = {"override_reason": "checklist kept on paper"}


async def test_aging_csv_and_xlsx_carry_the_same_numbers_as_json(
    api: httpx.AsyncClient, auth: AuthHeaders, ledger_bus: InProcessBus
) -> None:
    books, events = overdue_customer("C-1", (45, "1000.50"), (-3, "200"))
    await publish(ledger_bus, *events, books.payment("50", TODAY))
    headers, params = auth(Role.AUDITOR), {"group_by": "district"}
    [total] = (await api.get("/v1/aging", params=params, headers=headers)).json()["totals"]
    rows = list(
        csv.reader(
            io.StringIO(
                (
                    await api.get("/v1/aging", params=params | {"format": "csv"}, headers=headers)
                ).text
            )
        )
    )
    header, csv_total = rows[0], rows[-1]
    assert csv_total[:2] == ["USD", "TOTAL"]
    assert {h: Decimal(v) for h, v in zip(header[3:], csv_total[3:], strict=True)} == {
        **{k: Decimal(v) for k, v in total["buckets"].items()},
        "open_ar": Decimal("1200.50"),
        "unapplied_credits": Decimal(-50),
        "net": Decimal("1150.50"),
    }
    book = load_workbook(
        io.BytesIO(
            (
                await api.get("/v1/aging", params=params | {"format": "xlsx"}, headers=headers)
            ).content
        )
    )
    assert [c.value for c in list(book.active.iter_rows())[-1]][:2] == ["USD", "TOTAL"]
    assert Decimal(str(list(book.active.iter_rows())[-1][header.index("31-60")].value)) == Decimal(
        "1000.50"
    )


async def test_drill_down_lists_the_items_in_a_bucket(
    api: httpx.AsyncClient, auth: AuthHeaders, ledger_bus: InProcessBus
) -> None:
    _, events = overdue_customer("C-1", (45, "1000"), (10, "300"), (-3, "200"))
    await publish(ledger_bus, *events)
    items = (
        await api.get("/v1/aging/items", params={"bucket": "31-60"}, headers=auth(Role.SALES))
    ).json()
    assert [(i["number"], i["days_past_due"], Decimal(i["balance"])) for i in items] == [
        ("INV-000001", 45, 1000)
    ]
    bad = await api.get("/v1/aging/items", params={"bucket": "2-3"}, headers=auth(Role.SALES))
    assert bad.status_code == 400 and bad.json()["type"].endswith("invalid-bucket")
    bad_edges = await api.get("/v1/aging", params={"edges": "30,10"}, headers=auth(Role.SALES))
    assert bad_edges.status_code == 400


async def test_unbilled_monitor_shows_stale_closed_tickets_not_yet_invoiced(
    api: httpx.AsyncClient, auth: AuthHeaders, ledger_bus: InProcessBus
) -> None:
    books, _ = overdue_customer("C-1")
    stale, billed, fresh = (
        books.ticket("800", TODAY - timedelta(days=10)),
        books.ticket("500", TODAY - timedelta(days=10)),
        books.ticket("300", TODAY - timedelta(days=2)),
    )
    await publish(
        ledger_bus, stale, billed, fresh, books.invoice("500", TODAY, tickets=[billed.ticket_id])
    )

    groups = (await api.get("/v1/unbilled", headers=auth(Role.SALES))).json()
    assert [
        (
            g["business_district"],
            g["sales_rep"],
            Decimal(g["amount_at_risk"]),
            [t["ticket_number"] for t in g["tickets"]],
        )
        for g in groups
    ] == [("permian", "rep-jones", 800, [stale.ticket_number])]
    week_ago = (
        await api.get(
            "/v1/unbilled",
            params={"as_of": str(TODAY - timedelta(days=1)), "older_than_days": 0},
            headers=auth(Role.SALES),
        )
    ).json()
    assert sorted(t["ticket_number"] for t in week_ago[0]["tickets"]) == sorted(
        [stale.ticket_number, billed.ticket_number, fresh.ticket_number]
    )


async def test_unbilled_monitor_shows_unbilled_rent_and_storage_beside_the_tickets(
    api: httpx.AsyncClient, auth: AuthHeaders, ledger_bus: InProcessBus
) -> None:
    books, events = overdue_customer("C-1")
    stale = books.ticket("800", TODAY - timedelta(days=10))
    accrued = RentalAccrued(
        customer_id=books.customer_id,
        currency="USD",
        as_of=TODAY,
        rental_unbilled=Decimal("1400.00"),
        storage_unbilled=Decimal("319.35"),
    )
    await publish(ledger_bus, *events, stale, accrued)

    [group] = (await api.get("/v1/unbilled", headers=auth(Role.SALES))).json()
    assert (group["rental_unbilled"], group["storage_unbilled"], group["amount_at_risk"]) == (
        "1400.00",
        "319.35",
        "2519.35",
    )
    yesterday = {"as_of": str(TODAY - timedelta(days=1))}
    [earlier] = (await api.get("/v1/unbilled", params=yesterday, headers=auth(Role.SALES))).json()
    assert earlier["rental_unbilled"] == "0.00"


async def test_management_report_lists_accounts_over_60_days_with_history_and_next_step(
    api: httpx.AsyncClient, auth: AuthHeaders, ledger_bus: InProcessBus
) -> None:
    late, late_events = overdue_customer("LATE", (75, "2000"))
    _, recent_events = overdue_customer("RECENT", (45, "900"))
    await publish(ledger_bus, *late_events, *recent_events)
    assert (
        await api.post(
            "/v1/activities",
            headers=auth(Role.AR_COORDINATOR),
            json={
                "customer_id": str(late.customer_id),
                "kind": "call",
                "outcome": "Promised to review",
                "next_step": "Escalate to controller",
                "next_step_on": str(TODAY + timedelta(days=2)),
            },
        )
    ).status_code == 201

    report = (await api.get("/v1/reports/over-60-days", headers=auth(Role.AR_SUPERVISOR))).json()
    assert [
        (r["account_number"], Decimal(r["past_due"]), r["oldest_days_past_due"]) for r in report
    ] == [("LATE", 2000, 75)]
    assert [a["outcome"] for a in report[0]["actions"]] == ["Promised to review"]
    assert report[0]["next_step"].startswith("Escalate to controller")
    xlsx = (
        await api.get(
            "/v1/reports/over-60-days", params={"format": "xlsx"}, headers=auth(Role.AUDITOR)
        )
    ).content
    sheet = load_workbook(io.BytesIO(xlsx))["Over 60 days"]
    assert [c.value for c in list(sheet.iter_rows())[2]][:2] == ["LATE", "LATE Oilfield"]
    pdf = (await api.get("/v1/reports/over-60-days.pdf", headers=auth(Role.AUDITOR))).content
    assert "LATE Oilfield" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert (await api.get("/v1/reports/over-60-days", headers=auth(Role.SALES))).status_code == 403


async def test_statement_lists_open_items_and_is_emailed_as_pdf(
    api: httpx.AsyncClient,
    auth: AuthHeaders,
    ledger_bus: InProcessBus,
    collections: Service,
    tmp_path: Path,
) -> None:
    collections.settings.smtp.mail_drop = tmp_path / "mail"  # type: ignore[attr-defined]
    books, events = overdue_customer("C-ST", (45, "1000"), (-3, "200"))
    await publish(ledger_bus, *events, books.payment("50", TODAY))
    statement = (
        await api.get(f"/v1/statements/{books.customer_id}", headers=auth(Role.AR_COORDINATOR))
    ).json()
    assert Decimal(statement["balance"]) == Decimal("1150")
    assert sorted(i["kind"] for i in statement["items"]) == ["invoice", "invoice", "payment"]
    pdf = (
        await api.get(
            f"/v1/statements/{books.customer_id}",
            params={"pdf": "true"},
            headers=auth(Role.AR_COORDINATOR),
        )
    ).content
    assert "Statement of account" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()

    sent = await api.post(
        f"/v1/statements/{books.customer_id}/send", json={}, headers=auth(Role.AR_COORDINATOR)
    )
    assert sent.json() == {"sent_to": ["ap@c-st.example"]}
    assert len(list((tmp_path / "mail").iterdir())) == 1


async def test_supervisor_closes_ended_months_in_order_with_their_ar(
    api: httpx.AsyncClient, auth: AuthHeaders, ledger_bus: InProcessBus
) -> None:
    supervisor = auth(Role.AR_SUPERVISOR)
    books, events = overdue_customer("C-P", (45, "1000"))
    await publish(ledger_bus, *events)
    last_month = (TODAY.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    month_before = (TODAY.replace(day=1) - timedelta(days=32)).strftime("%Y-%m")

    assert (
        await api.post(f"/v1/periods/{last_month}/close", headers=auth(Role.AR_COORDINATOR))
    ).status_code == 403
    assert (
        await api.post(f"/v1/periods/{TODAY:%Y-%m}/close", headers=supervisor)
    ).status_code == 422
    assert (
        await api.post(f"/v1/periods/{month_before}/close", json=OVERRIDE, headers=supervisor)
    ).status_code == 201
    closed = await api.post(f"/v1/periods/{last_month}/close", json=OVERRIDE, headers=supervisor)
    assert closed.status_code == 201, closed.text
    assert Decimal(closed.json()["ar_balance"]["USD"]) == 1000  # invoiced 75 days ago, unpaid
    [snapshot] = closed.json()["aging_snapshot"]
    assert (
        snapshot["business_district"],
        sum(Decimal(v) for v in snapshot["buckets"].values()),
    ) == ("permian", 1000)
    assert (
        await api.post(f"/v1/periods/{last_month}/close", headers=supervisor)
    ).status_code == 409
    periods = (await api.get("/v1/periods", headers=auth(Role.AUDITOR))).json()
    assert [p["period"] for p in periods] == [last_month, month_before]


async def test_unbilled_monitor_shows_pass_through_costs_not_billed_yet(
    api: httpx.AsyncClient, auth: AuthHeaders, ledger_bus: InProcessBus
) -> None:
    books, events = overdue_customer("C-1")
    accrued = RentalAccrued(
        customer_id=books.customer_id,
        currency="USD",
        as_of=TODAY,
        rental_unbilled=Decimal(0),
        storage_unbilled=Decimal(0),
        pass_through_unbilled=Decimal("575.00"),
    )
    await publish(ledger_bus, *events, accrued)

    [group] = (await api.get("/v1/unbilled", headers=auth(Role.SALES))).json()
    assert (group["pass_through_unbilled"], group["amount_at_risk"]) == ("575.00", "575.00")
    # Billed since: the next figure replaces it and the customer drops off the monitor.
    billed = accrued.model_copy(update={"pass_through_unbilled": Decimal(0)})
    await publish(ledger_bus, billed)
    assert (await api.get("/v1/unbilled", headers=auth(Role.SALES))).json() == []
