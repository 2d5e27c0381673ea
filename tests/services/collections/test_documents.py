"""What customers and management read: a statement PDF with where to remit and its aging, an
over-60 report whose columns hold their figures, and statement and dunning activities stamped
when they happened, so the report's last action is the last thing done."""

import io
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
from fpdf import FPDF
from pypdf import PdfReader

from services.collections.documents.management_report import (
    PDF_COLUMNS,
    PDF_FONT_SIZE,
    ReportLine,
    pdf_cells,
)
from services.collections.domain.work import AccountPosition
from services.collections.models import CollectionAccount
from services.collections.queries.worklist import WorklistRow
from shared.auth import Role
from shared.bus import InProcessBus
from shared.clock import Clock
from shared.service import Service
from tests.conftest import AuthHeaders
from tests.services.collections.books import overdue_customer, publish

TODAY = Clock().today()


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


async def test_statement_pdf_shows_where_to_remit_and_the_aging_summary(
    api: httpx.AsyncClient, auth: AuthHeaders, ledger_bus: InProcessBus
) -> None:
    books, events = overdue_customer("C-REMIT", (45, "1000"), (75, "250"), (-3, "200"))
    await publish(ledger_bus, *events, books.payment("50", TODAY))
    pdf = (
        await api.get(
            f"/v1/statements/{books.customer_id}",
            params={"pdf": "true"},
            headers=auth(Role.AR_COORDINATOR),
        )
    ).content
    text = _text(pdf)
    assert "Remit to AR Platform Field Services LLC PO Box 100 Midland, TX 79702" in text
    assert "Aging summary (USD)" in text
    assert (
        "Current 1-30 31-60 61-90 91-120 Over 120 Credits Balance "
        "200.00 0.00 1,000.00 250.00 0.00 0.00 -50.00 1,400.00"
    ) in text


async def test_statement_and_letter_activities_carry_the_time_they_were_sent(
    api: httpx.AsyncClient,
    auth: AuthHeaders,
    ledger_bus: InProcessBus,
    collections: Service,
    tmp_path: Path,
) -> None:
    collections.settings.smtp.mail_drop = tmp_path / "mail"  # type: ignore[attr-defined]
    coordinator = auth(Role.AR_COORDINATOR)
    books, events = overdue_customer("C-TIMED", (75, "2000"))
    await publish(ledger_bus, *events)
    called_at = Clock().now() - timedelta(minutes=1)
    call = await api.post(
        "/v1/activities",
        headers=coordinator,
        json={
            "customer_id": str(books.customer_id),
            "kind": "call",
            "occurred_at": called_at.isoformat(),
            "outcome": "AP asked for a statement",
        },
    )
    assert call.status_code == 201, call.text
    sent = await api.post(f"/v1/statements/{books.customer_id}/send", json={}, headers=coordinator)
    assert sent.status_code == 200, sent.text

    [line] = (await api.get("/v1/reports/over-60-days", headers=coordinator)).json()
    last = line["actions"][-1]
    assert last["kind"] == "email" and last["outcome"].startswith("Statement as of")
    assert datetime.fromisoformat(last["occurred_at"]) > called_at
    pdf = (await api.get("/v1/reports/over-60-days.pdf", headers=coordinator)).content
    assert f"{TODAY} email: Statement as of {TODAY}" in _text(pdf)

    run = await api.post("/v1/dunning-runs", json={}, headers=coordinator)
    assert [n["customer_id"] for n in run.json()["sent"]] == [str(books.customer_id)]
    history = (
        await api.get(
            "/v1/activities", params={"customer_id": str(books.customer_id)}, headers=coordinator
        )
    ).json()["items"]
    assert [a["kind"] for a in history] == ["call", "email", "letter"]
    assert datetime.fromisoformat(history[-1]["occurred_at"]) > called_at


def test_over_60_report_columns_hold_their_titles_and_figures_uncramped() -> None:
    doc = FPDF(orientation="landscape", format="Letter")
    doc.set_margins(10, 10, 10)
    doc.add_page()
    assert sum(width for _, width, _ in PDF_COLUMNS) <= doc.epw
    big = Decimal("9999999.99")
    line = ReportLine(
        WorklistRow(
            customer_id=uuid.UUID(int=1),
            currency="USD",
            account=CollectionAccount(
                id=uuid.UUID(int=1),
                revision=1,
                account_number="C000012345",
                legal_name="Permian Basin Services LLC",
                status="active",
                currency="USD",
                business_district="permian",
                sales_rep="rep-jones",
                payment_terms={"kind": "net", "days": 30},
                contacts=[],
            ),
            position=AccountPosition(
                past_due=big,
                oldest_days_past_due=1234,
                disputed=big,
                promised=big,
                broken_promises=0,
                days_beyond_terms=None,
                last_activity_on=None,
            ),
            as_of=TODAY,
        ),
        history=[],
        zone=UTC,
    )
    padding = 2 * doc.c_margin
    # Every title's words, bold, and every figure fit their column without breaking.
    doc.set_font("Helvetica", "B", PDF_FONT_SIZE)
    for title, width, _ in PDF_COLUMNS:
        for word in title.split():
            assert doc.get_string_width(word) + padding <= width, title
    doc.set_font("Helvetica", size=PDF_FONT_SIZE)
    for (title, width, align), value in zip(PDF_COLUMNS, pdf_cells(line), strict=True):
        if align == "RIGHT":
            assert doc.get_string_width(value) + padding <= width, (title, value)
    assert pdf_cells(line)[5] == "9,999,999.99"
