"""GL batches, the trial balance, the go-live opening balance, the rollforward and the AR pack,
over the API of collections fed the producers' events."""

import csv
import io
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import openpyxl

from services.collections.domain.gl import BatchLine
from services.collections.models import GLBatch
from shared.auth import Role
from shared.bus import InProcessBus
from shared.clock import Clock
from shared.service import Service
from tests.conftest import AuthHeaders
from tests.services.collections.books import Books, publish
from tests.support import event_message

TODAY = Clock().today()
MONTH_END = TODAY.replace(day=1) - timedelta(days=1)
MONTH = MONTH_END.strftime("%Y-%m")
FIRST = MONTH_END.replace(day=1)


def _lines(batch: dict) -> list[tuple[str, str, str, Decimal, Decimal, int]]:
    return [
        (
            line["currency"],
            line["account"],
            line["department"],
            Decimal(line["debit"]),
            Decimal(line["credit"]),
            line["postings"],
        )
        for line in batch["lines"]
    ]


async def test_each_posting_is_in_exactly_one_batch_and_a_batch_never_changes(
    api: httpx.AsyncClient, auth: AuthHeaders, ledger_bus: InProcessBus
) -> None:
    supervisor = auth(Role.AR_SUPERVISOR)
    books = Books()
    invoice = books.invoice("1000.00", FIRST)
    payment = books.payment("400.00", FIRST + timedelta(days=2))
    applied = books.apply(payment, invoice, "400.00", FIRST + timedelta(days=2))
    message = event_message(invoice)
    await ledger_bus.publish([message])
    await ledger_bus.publish([message])  # the relay resends it: the inbox drops it
    await publish(ledger_bus, payment, applied)

    before = await api.post("/v1/gl/batches", json={"day": str(TODAY)}, headers=supervisor)
    assert before.status_code == 422, before.text
    both = await api.post(
        "/v1/gl/batches", json={"day": str(FIRST), "period": MONTH}, headers=supervisor
    )
    assert both.status_code == 422
    coordinator = await api.post(
        "/v1/gl/batches", json={"period": MONTH}, headers=auth(Role.AR_COORDINATOR)
    )
    assert coordinator.status_code == 403

    first = await api.post("/v1/gl/batches", json={"period": MONTH}, headers=supervisor)
    assert first.status_code == 201, first.text
    batch = first.json()
    assert (batch["number"], batch["kind"], batch["through"], batch["postings"]) == (
        1,
        "period",
        str(MONTH_END),
        6,
    )
    assert _lines(batch) == [
        ("USD", "1000", "", Decimal("400.00"), Decimal(0), 1),
        ("USD", "1200", "", Decimal("1000.00"), Decimal("400.00"), 2),
        ("USD", "2100", "", Decimal("400.00"), Decimal("400.00"), 2),
        ("USD", "4000", "", Decimal(0), Decimal("1000.00"), 1),
    ]
    assert [(t["debit"], t["credit"], t["balanced"]) for t in batch["totals"]] == [
        ("1800.00", "1800.00", True)
    ]
    nothing = await api.post("/v1/gl/batches", json={"period": MONTH}, headers=supervisor)
    assert nothing.status_code == 422

    # A late posting, dated in the exported month, goes into the next batch.
    late = books.write_off(invoice, "600.00", MONTH_END)
    await publish(ledger_bus, late, late)
    pending = await api.get(
        "/v1/gl/pending", params={"through": str(MONTH_END)}, headers=auth(Role.AUDITOR)
    )
    assert pending.json() == {"postings": 2}
    second = await api.post("/v1/gl/batches", json={"day": str(MONTH_END)}, headers=supervisor)
    assert second.status_code == 201, second.text
    assert (second.json()["number"], second.json()["postings"]) == (2, 2)
    again = await api.get("/v1/gl/batches/1", headers=auth(Role.AUDITOR))
    assert _lines(again.json()) == _lines(batch)
    listed = await api.get("/v1/gl/batches", headers=auth(Role.AUDITOR))
    assert [b["number"] for b in listed.json()] == [2, 1]
    assert (await api.get("/v1/gl/batches/9", headers=auth(Role.AUDITOR))).status_code == 404

    as_csv = await api.get("/v1/gl/batches/2", params={"format": "csv"}, headers=supervisor)
    rows = list(csv.reader(io.StringIO(as_csv.text)))
    assert rows[0][:4] == ["batch", "label", "currency", "account"]
    assert [r[3:7] for r in rows[1:]] == [
        ["1200", "", "0.00", "600.00"],
        ["6500", "", "600.00", "0.00"],
    ]


async def test_the_erpnext_layout_is_one_journal_entry_per_currency_each_line_on_one_side(
    api: httpx.AsyncClient, auth: AuthHeaders, ledger_bus: InProcessBus
) -> None:
    usd, eur = Books(district="permian"), Books(district="bakken", currency="EUR")
    await publish(ledger_bus, usd.invoice("250.00", FIRST), eur.invoice("90.00", FIRST))
    await api.post("/v1/gl/batches", json={"period": MONTH}, headers=auth(Role.AR_SUPERVISOR))
    answer = await api.get(
        "/v1/gl/batches/1", params={"format": "erpnext"}, headers=auth(Role.AUDITOR)
    )
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert rows[0] == [
        "Entry Type",
        "Posting Date",
        "Company",
        "Reference Number",
        "Reference Date",
        "User Remark",
        "Account (Accounting Entries)",
        "Cost Center (Accounting Entries)",
        "Debit (Accounting Entries)",
        "Credit (Accounting Entries)",
    ]
    assert [(r[0], r[1], r[3], r[6], r[7], r[8], r[9]) for r in rows[1:]] == [
        ("Journal Entry", str(MONTH_END), "AR-GL-000001", "1200", "", "90.00", "0.00"),
        ("", "", "", "4000", "", "0.00", "90.00"),
        ("Journal Entry", str(MONTH_END), "AR-GL-000001", "1200", "", "250.00", "0.00"),
        ("", "", "", "4000", "", "0.00", "250.00"),
    ]


def test_the_erpnext_layout_nets_an_account_that_is_debited_and_credited() -> None:
    from services.collections.documents.gl_export import batch_erpnext

    batch = GLBatch(
        number=3, kind="day", label="2026-11-02", through=FIRST, postings=3, exported_by="sam"
    )
    lines = [
        BatchLine("USD", "1200", "permian", Decimal("100"), Decimal("30"), 2),
        BatchLine("USD", "2100", "permian", Decimal("30"), Decimal("30"), 2),
        BatchLine("USD", "4000", "permian", Decimal(0), Decimal("70"), 1),
    ]
    rows = list(csv.reader(io.StringIO(batch_erpnext(batch, lines, "Acme"))))
    assert [(r[2], r[6], r[7], r[8], r[9]) for r in rows[1:]] == [
        ("Acme", "1200", "permian", "70.00", "0.00"),
        ("", "4000", "permian", "0.00", "70.00"),
    ]


async def test_legacy_invoices_paid_in_full_leave_the_tie_out_at_zero(
    api: httpx.AsyncClient, auth: AuthHeaders, ledger_bus: InProcessBus
) -> None:
    books = Books()
    legacy = [
        books.imported("500.00", "500.00", FIRST),
        books.imported("800.00", "300.00", FIRST),
        books.imported("99.99", "12.34", FIRST + timedelta(days=1)),
    ]
    await publish(ledger_bus, *legacy)
    params = {"as_of": str(FIRST + timedelta(days=1))}
    [tie] = (await api.get("/v1/ledger/tie-out", params=params, headers=auth(Role.AUDITOR))).json()
    assert (tie["ledger"], tie["journal"], tie["difference"]) == ("812.34", "812.34", "0.00")
    for invoice in legacy:
        owed = invoice.owed
        payment = books.payment(owed, MONTH_END)
        await publish(ledger_bus, payment, books.apply(payment, invoice, owed, MONTH_END))
    balance = (
        await api.get(
            "/v1/gl/trial-balance", params={"as_of": str(MONTH_END)}, headers=auth(Role.AUDITOR)
        )
    ).json()
    [control] = balance["ar_control"]
    assert (control["ledger"], control["journal"], control["difference"]) == (
        "0.00",
        "0.00",
        "0.00",
    )
    accounts = {r["account"]: r["balance"] for r in balance["accounts"]}
    assert accounts == {"1000": "812.34", "1200": "0.00", "2100": "0.00", "3900": "-812.34"}
    assert [t["balanced"] for t in balance["totals"]] == [True]


async def test_the_trial_balance_names_the_documents_behind_a_difference(
    api: httpx.AsyncClient, auth: AuthHeaders, ledger_bus: InProcessBus
) -> None:
    books = Books()
    # An invoice imported before opening balances were posted: in the ledger, not the journal.
    old = books.invoice("250.00", FIRST).model_copy(update={"imported": True, "journal": None})
    await publish(ledger_bus, old, books.invoice("100.00", FIRST))
    balance = (
        await api.get(
            "/v1/gl/trial-balance", params={"as_of": str(MONTH_END)}, headers=auth(Role.AUDITOR)
        )
    ).json()
    [control] = balance["ar_control"]
    assert (control["ledger"], control["journal"], control["difference"]) == (
        "350.00",
        "100.00",
        "250.00",
    )
    [document] = control["documents"]
    assert (document["event_type"], document["document_number"], document["difference"]) == (
        "invoice.issued",
        old.number,
        "250.00",
    )


async def test_the_rollforward_ties_and_the_pack_goes_out_on_close(
    api: httpx.AsyncClient,
    auth: AuthHeaders,
    ledger_bus: InProcessBus,
    collections: Service,
    tmp_path: Path,
) -> None:
    collections.settings.smtp.mail_drop = tmp_path / "mail"  # type: ignore[attr-defined]
    collections.settings.ar_pack_recipients = ["controller@example.com"]  # type: ignore[attr-defined]
    books = Books()
    before = FIRST - timedelta(days=5)
    opening = books.invoice("700.00", before)
    invoice = books.invoice("1000.00", FIRST)
    rebill = books.invoice("950.00", FIRST + timedelta(days=3)).model_copy(
        update={"rebill_of": invoice.invoice_id}
    )
    payment = books.payment("300.00", FIRST + timedelta(days=4))
    mistake = books.invoice("20.00", FIRST)
    await publish(
        ledger_bus,
        opening,
        invoice,
        books.credit_memo("1000.00", FIRST + timedelta(days=3), invoice),
        rebill,
        payment,
        books.apply(payment, opening, "300.00", FIRST + timedelta(days=4)),
        books.write_off(opening, "50.00", FIRST + timedelta(days=6)),
        mistake,
        books.void(mistake, FIRST + timedelta(days=1)),
    )
    [usd] = (
        await api.get("/v1/gl/rollforward", params={"period": MONTH}, headers=auth(Role.AUDITOR))
    ).json()
    assert {k: usd[k] for k in usd if k not in ("currency", "period")} == {
        "opening": "700.00",
        "invoices": "1020.00",
        "supplementary_invoices": "950.00",
        "credit_memos": "1000.00",
        "cash_applied": "300.00",
        "write_offs": "50.00",
        "other_adjustments": "-20.00",
        "other": {"voided": "-20.00"},
        "closing": "1300.00",
        "ledger": "1300.00",
        "journal": "1300.00",
        "ties": True,
    }

    xlsx = await api.get(f"/v1/reports/ar-pack/{MONTH}", headers=auth(Role.AUDITOR))
    assert xlsx.status_code == 200, xlsx.text
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == [
        "Aging by district",
        "KPIs against targets",
        "AR rollforward",
        "Credit memo register",
        "Cash receipts journal",
        "Write-off register",
        "Sales tax by jurisdiction",
        "Over 60 days",
    ]
    roll = [row for row in book["AR rollforward"].iter_rows(values_only=True)][2:]
    assert ("USD", "= Closing AR", 1300) in [(r[0], r[1], r[2]) for r in roll]
    assert ("USD", "Ties to the cent", "yes") in [(r[0], r[1], r[2]) for r in roll]
    pdf = await api.get(
        f"/v1/reports/ar-pack/{MONTH}", params={"format": "pdf"}, headers=auth(Role.AUDITOR)
    )
    assert pdf.content.startswith(b"%PDF")

    closed = await api.post(
        f"/v1/periods/{MONTH}/close",
        json={"override_reason": "checklist kept on paper"},
        headers=auth(Role.AR_SUPERVISOR),
    )
    assert closed.status_code == 201, closed.text
    [eml] = list((tmp_path / "mail").glob("ar-pack-*.eml"))
    message = eml.read_bytes()
    assert b"To: controller@example.com" in message
    assert (
        f"ar-pack-{MONTH}.xlsx".encode() in message and f"ar-pack-{MONTH}.pdf".encode() in message
    )
