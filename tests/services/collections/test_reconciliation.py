"""Reconciliation: a sales-system file and an accounting-system file, generated from the ledger
with one difference of each class planted in each, are compared with the ledger; every planted
difference is found and classified, nothing else is, and the worklist resolves to a sign-off by
a supervisor who did not prepare it."""

import csv
import io
import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from openpyxl import Workbook, load_workbook

from shared.auth import Role
from shared.bus import InProcessBus
from shared.clock import Clock
from shared.events.catalog import EventPayload
from shared.events.customers import CustomerRegistered
from tests.conftest import AuthHeaders
from tests.services.collections.books import Books, publish
from tests.services.customer_events import customer

TODAY = Clock().today()
AS_OF = TODAY - timedelta(days=10)

Row = dict[str, Any]


class Customer:
    """A registered customer with an open invoice, an invoice paid in full and an open credit,
    and the rows a system in agreement with the ledger would list for it."""

    def __init__(self, number: str, n: int) -> None:
        self.number, self.books = number, Books()
        self.events: list[EventPayload] = [
            CustomerRegistered(customer=customer(id=self.books.customer_id, account_number=number))
        ]
        self.open = self.add(self.books.invoice(Decimal(1000 + n), AS_OF - timedelta(days=40)))
        paid = self.add(self.books.invoice("500", AS_OF - timedelta(days=20)))
        cash = self.add(self.books.payment("500", AS_OF - timedelta(days=5)))
        self.add(self.books.apply(cash, paid, "500", AS_OF - timedelta(days=5)))
        self.credit = self.add(self.books.payment("50", AS_OF - timedelta(days=2)))
        self.rows: list[Row] = [
            self.row(self.open.number, "invoice", self.open.invoice_date, self.open.total),
            self.row(self.credit.reference, "payment", self.credit.received_on, Decimal(-50)),
        ]

    def add(self, event: Any) -> Any:
        self.events.append(event)
        return event

    def row(self, document: str | None, kind: str, on: date, amount: Decimal) -> Row:
        return {
            "account_number": self.number,
            "document": document,
            "kind": kind,
            "document_date": str(on),
            "amount": str(amount),
        }


def _books() -> tuple[dict[str, Customer], list[Row], list[Row], set[tuple[str, ...]]]:
    """Twelve customers; the sales and accounting rows with their plants; what each plant must
    be reported as: (side, account, class, held by, document)."""
    c = {f"C-{n:02d}": Customer(f"C-{n:02d}", n) for n in range(1, 13)}
    sales = {k: [dict(r) for r in v.rows] for k, v in c.items()}
    accounting = {k: [dict(r) for r in v.rows] for k, v in c.items()}
    expected: set[tuple[str, ...]] = set()

    # Sales. Timing: an invoice the ledger dates two days after the cut-off, the sales system on it.
    late = c["C-01"].add(c["C-01"].books.invoice("700", AS_OF + timedelta(days=2)))
    sales["C-01"].append(c["C-01"].row(late.number, "invoice", AS_OF, Decimal(700)))
    expected.add(("sales", "C-01", "timing", "source", late.number))
    # An invoice the ledger never had.
    sales["C-02"].append(c["C-02"].row("INV-OLD-9", "invoice", AS_OF, Decimal(250)))
    expected.add(("sales", "C-02", "invoice_one_side", "source", "INV-OLD-9"))
    # A payment the ledger has and the sales system has not.
    cash = c["C-03"].add(c["C-03"].books.payment("300", AS_OF - timedelta(days=3)))
    accounting["C-03"].append(c["C-03"].row(cash.reference, "payment", AS_OF, Decimal(-300)))
    expected.add(("sales", "C-03", "payment_one_side", "ledger", cash.reference))
    # The same invoice for another amount.
    sales["C-04"][0]["amount"] = str(Decimal(sales["C-04"][0]["amount"]) + 100)
    expected.add(("sales", "C-04", "amount_mismatch", "both", c["C-04"].open.number))
    # A customer the ledger does not know.
    sales["C-99"] = [c["C-01"].row("INV-X-1", "invoice", AS_OF, Decimal(80))]
    sales["C-99"][0]["account_number"] = "C-99"
    expected.add(("sales", "C-99", "customer_unknown", "source", None))  # type: ignore[arg-type]
    # A row listed twice.
    sales["C-05"].append(dict(sales["C-05"][0]))
    expected.add(("sales", "C-05", "duplicate", "source", c["C-05"].open.number))

    # Accounting. In transit: the open invoice paid the day after the cut-off, which accounting
    # counts before it.
    six = c["C-06"]
    wire = six.add(six.books.payment(six.open.total, AS_OF + timedelta(days=1)))
    six.add(six.books.apply(wire, six.open, six.open.total, AS_OF + timedelta(days=1)))
    accounting["C-06"] = accounting["C-06"][1:]
    expected.add(("accounting", "C-06", "timing", "ledger", six.open.number))
    # A customer accounting does not carry.
    del accounting["C-07"]
    expected.add(("accounting", "C-07", "customer_unknown", "ledger", None))  # type: ignore[arg-type]
    # A payment accounting has and the ledger has not.
    accounting["C-08"].append(c["C-08"].row("WIRE-77", "payment", AS_OF, Decimal(-400)))
    expected.add(("accounting", "C-08", "payment_one_side", "source", "WIRE-77"))
    # An invoice the ledger has and accounting has not.
    accounting["C-09"] = accounting["C-09"][1:]
    expected.add(("accounting", "C-09", "invoice_one_side", "ledger", c["C-09"].open.number))
    # A cent apart.
    accounting["C-10"][0]["amount"] = str(
        Decimal(accounting["C-10"][0]["amount"]) - Decimal("0.01")
    )
    expected.add(("accounting", "C-10", "amount_mismatch", "both", c["C-10"].open.number))
    # The open credit twice.
    accounting["C-11"].append(dict(accounting["C-11"][1]))
    expected.add(("accounting", "C-11", "duplicate", "source", c["C-11"].credit.reference))
    return (
        c,
        [r for rows in sales.values() for r in rows],
        [r for rows in accounting.values() for r in rows],
        expected,
    )


SALES_HEADERS = {
    "account_number": "Cust #",
    "document": "Doc No",
    "kind": "Type",
    "document_date": "Doc Date",
    "amount": "Open Balance",
}


def _sales_csv(rows: list[Row]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(SALES_HEADERS.values())
    for r in rows:
        writer.writerow([r[k] or "" for k in SALES_HEADERS])
    return out.getvalue().encode()


def _accounting_xlsx(rows: list[Row]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["account_number", "document", "kind", "document_date", "amount"])
    for r in rows:
        # As an accounting export holds them: dates as dates, amounts as numbers.
        sheet.append(
            [
                r["account_number"],
                r["document"],
                r["kind"],
                date.fromisoformat(r["document_date"]),
                float(r["amount"]),
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def _start(api: httpx.AsyncClient, headers: dict[str, str]) -> str:
    started = await api.post("/v1/reconciliations", json={"as_of": str(AS_OF)}, headers=headers)
    assert started.status_code == 201, started.text
    return str(started.json()["id"])


async def test_every_planted_difference_is_found_and_classified_and_nothing_else(
    api: httpx.AsyncClient, auth: AuthHeaders, ledger_bus: InProcessBus
) -> None:
    c, sales, accounting, expected = _books()
    await publish(ledger_bus, *(e for cust in c.values() for e in cust.events))
    preparer = auth(Role.AR_COORDINATOR, subject="pat")
    rec = await _start(api, preparer)

    imported_sales = await api.post(
        f"/v1/reconciliations/{rec}/sources/sales/file",
        files={"file": ("sales.csv", _sales_csv(sales), "text/csv")},
        data={"mapping": str(SALES_HEADERS).replace("'", '"')},
        headers=preparer,
    )
    assert imported_sales.status_code == 200, imported_sales.text
    imported_accounting = await api.post(
        f"/v1/reconciliations/{rec}/sources/accounting/file",
        files={"file": ("gl.xlsx", _accounting_xlsx(accounting), "application/octet-stream")},
        headers=preparer,
    )
    assert imported_accounting.status_code == 200, imported_accounting.text

    found = (await api.get(f"/v1/reconciliations/{rec}/differences", headers=preparer)).json()
    reported = {
        (d["side"], d["account_number"], d["class"], d["held_by"], d["document"]) for d in found
    }
    assert reported == expected
    by_class = {(d["side"], d["class"]): d for d in found}
    assert Decimal(by_class["sales", "amount_mismatch"]["difference"]) == 100
    assert Decimal(by_class["accounting", "amount_mismatch"]["difference"]) == Decimal("-0.01")
    assert Decimal(by_class["sales", "payment_one_side"]["difference"]) == 300
    assert Decimal(by_class["accounting", "customer_unknown"]["ledger_amount"]) == Decimal(
        c["C-07"].open.total - 50
    )
    duplicate = by_class["sales", "duplicate"]
    # The second of the two equal rows, by its row in the file (the header is row 1).
    rows_listed = [
        n
        for n, r in enumerate(sales, start=2)
        if (r["account_number"], r["document"]) == ("C-05", duplicate["document"])
    ]
    assert duplicate["rows"] == rows_listed[1:]
    assert by_class["sales", "timing"]["resolution"] == "explained"  # reverses by itself

    worklist = (
        await api.get(f"/v1/reconciliations/{rec}/differences?open=true", headers=preparer)
    ).json()
    assert len(worklist) == len(expected) - 2  # all but the two timing differences
    supervisor = auth(Role.AR_SUPERVISOR, subject="sam")
    early = await api.post(f"/v1/reconciliations/{rec}/sign-off", headers=supervisor)
    assert early.status_code == 422 and len(early.json()["open_differences"]) == len(worklist)

    resolutions = [
        {"resolution": "escalated_to_sales", "note": "sales to correct its copy"},
        {"resolution": "escalated_to_accounting", "note": "accounting to post it"},
        {"resolution": "explained", "note": "legacy customer, merged"},
        {"resolution": "adjusted", "note": "credit memo", "adjusting_document": "CM-2026-000001"},
    ]
    bad = await api.post(
        f"/v1/reconciliations/{rec}/differences/{worklist[0]['id']}/resolve",
        json={"resolution": "adjusted", "note": "no document named"},
        headers=preparer,
    )
    assert bad.status_code == 422
    for n, difference in enumerate(worklist):
        done = await api.post(
            f"/v1/reconciliations/{rec}/differences/{difference['id']}/resolve",
            json=resolutions[n % len(resolutions)],
            headers=preparer,
        )
        assert done.status_code == 200, done.text
        assert done.json()["resolved_by"] == "pat"

    own = await api.post(
        f"/v1/reconciliations/{rec}/sign-off",
        headers=auth(Role.AR_SUPERVISOR, subject="pat"),
    )
    assert own.status_code == 422 and "did not prepare" in own.json()["detail"]
    assert (
        await api.post(f"/v1/reconciliations/{rec}/sign-off", headers=preparer)
    ).status_code == 403
    signed = await api.post(f"/v1/reconciliations/{rec}/sign-off", headers=supervisor)
    assert signed.status_code == 200, signed.text
    assert signed.json()["signed_off_by"] == "sam"
    late = await api.post(
        f"/v1/reconciliations/{rec}/differences/{worklist[0]['id']}/resolve",
        json=resolutions[2],
        headers=preparer,
    )
    assert late.status_code == 409

    export = await api.get(f"/v1/reconciliations/{rec}/export.xlsx", headers=auth(Role.AUDITOR))
    assert export.status_code == 200
    book = load_workbook(io.BytesIO(export.content))
    rows = list(book["Differences"].iter_rows(values_only=True))
    assert len(rows) == 1 + len(expected)
    assert {r[2] for r in rows[1:]} == {e[2] for e in expected}
    summary = {r[0]: r[1] for r in book["Summary"].iter_rows(values_only=True) if r}
    assert summary["signed_off_by"] == "sam"


@pytest.mark.postgres
async def test_on_postgres_the_pairs_set_aside_in_sql_leave_the_same_differences(
    pg_api: tuple[httpx.AsyncClient, InProcessBus], auth: AuthHeaders
) -> None:
    # PostgreSQL sets aside every agreeing pair in one statement before classifying the rest.
    api, bus = pg_api
    await test_every_planted_difference_is_found_and_classified_and_nothing_else(api, auth, bus)


async def test_an_integration_sends_balances_as_json_and_a_side_is_taken_once(
    api: httpx.AsyncClient, auth: AuthHeaders, ledger_bus: InProcessBus
) -> None:
    one = Customer("C-J1", 1)
    await publish(ledger_bus, *one.events)
    rec = await _start(api, auth(Role.AR_COORDINATOR))
    system = auth(Role.INTEGRATION)
    url = f"/v1/reconciliations/{rec}/sources/accounting"
    sent = await api.post(url, json={"rows": one.rows}, headers=system)
    assert sent.status_code == 200, sent.text
    assert sent.json()["differences"] == []
    assert sent.json()["reconciliation"]["sources"]["accounting"]["source_total"] == {
        "USD": f"{one.open.total - 50:.2f}"
    }
    assert (await api.post(url, json={"rows": one.rows}, headers=system)).status_code == 409
    bad = await api.post(
        f"/v1/reconciliations/{rec}/sources/sales",
        json={"rows": [{**one.rows[0], "amount": "1e3"}]},
        headers=system,
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"].startswith("body.rows.0.amount")


async def test_a_file_with_bad_rows_is_refused_whole_naming_each_row(
    api: httpx.AsyncClient, auth: AuthHeaders, ledger_bus: InProcessBus
) -> None:
    one = Customer("C-B1", 1)
    await publish(ledger_bus, *one.events)
    staff = auth(Role.AR_COORDINATOR)
    rec = await _start(api, staff)
    text = (
        "account_number,document,amount,document_date\n"
        f"C-B1,{one.open.number},{one.open.total},{AS_OF}\n"
        "C-B1,INV-2,12.x5,\n"
        ",INV-3,10.00,\n"
        "C-B1,INV-4,10.00,31/12/2026\n"
    )
    url = f"/v1/reconciliations/{rec}/sources/sales/file"
    refused = await api.post(
        url, files={"file": ("s.csv", text.encode(), "text/csv")}, headers=staff
    )
    assert refused.status_code == 422, refused.text
    assert [e["field"] for e in refused.json()["errors"]] == [
        "row 3: amount",
        "row 4: account_number",
        "row 5: document_date",
    ]
    after = (await api.get(f"/v1/reconciliations/{rec}", headers=staff)).json()
    assert after["sources"] == {}
    for body, data in (
        (b"\xff\xfe\x00garbage", {}),
        (b"PK\x03\x04not really a zip", {}),
        (text.encode(), {"mapping": '{"balance": "amount"}'}),
        (b"who,what\nC-B1,1\n", {}),
    ):
        answer = await api.post(
            url, files={"file": ("s.csv", body, "text/csv")}, data=data, headers=staff
        )
        assert answer.status_code == 422, answer.text
    ahead = await api.post(
        "/v1/reconciliations", json={"as_of": str(TODAY + timedelta(days=1))}, headers=staff
    )
    assert ahead.status_code == 422
    unknown = await api.get(f"/v1/reconciliations/{uuid.uuid4()}", headers=staff)
    assert unknown.status_code == 404
