"""The management report of accounts over 60 days past due: balance, age, what was done and
what happens next, as XLSX and PDF."""

import io
from dataclasses import dataclass
from datetime import date, tzinfo
from decimal import Decimal

from openpyxl import Workbook
from sqlmodel.ext.asyncio.session import AsyncSession

from services.collections.models import Activity
from services.collections.queries.work import activities_of_customers
from services.collections.queries.worklist import WorklistRow, worklist
from shared.company import CompanyProfile
from shared.documents import Document, Millimetres, format_money
from shared.documents.pdf import FONT


@dataclass
class ReportLine:
    row: WorklistRow
    history: list[Activity]
    zone: tzinfo  # the company's: the day and hour of an action as the team saw them

    @property
    def next_step(self) -> str:
        planned = [a for a in self.history if a.next_step]
        if not planned:
            return "none recorded"
        last = planned[-1]
        return (
            f"{last.next_step} ({last.next_step_on})" if last.next_step_on else str(last.next_step)
        )


async def over_60_days(session: AsyncSession, as_of: date, zone: tzinfo) -> list[ReportLine]:
    rows = [r for r in await worklist(session, as_of) if r.needs_action_history]
    activities = await activities_of_customers(session, [r.customer_id for r in rows])
    return [
        ReportLine(r, [a for a in activities if a.customer_id == r.customer_id], zone) for r in rows
    ]


HEADER = [
    "Account",
    "Customer",
    "District",
    "Sales rep",
    "Currency",
    "Past due",
    "Oldest (days)",
    "Disputed",
    "Promised",
    "Actions",
    "Last action",
    "Next step",
]


def cells(line: ReportLine) -> list[str | int | Decimal]:
    r, account = line.row, line.row.account
    last = line.history[-1] if line.history else None
    return [
        account.account_number if account else str(r.customer_id),
        account.legal_name if account else "",
        account.business_district if account else "",
        (account.sales_rep or "") if account else "",
        r.currency,
        r.position.past_due,
        r.position.oldest_days_past_due,
        r.position.disputed,
        r.position.promised,
        len(line.history),
        f"{last.occurred_at.astimezone(line.zone).date()} {last.kind}: {last.outcome or ''}"
        if last
        else "none",
        line.next_step,
    ]


def report_xlsx(lines: list[ReportLine], as_of: date) -> bytes:
    book = Workbook()
    summary = book.active
    summary.title = "Over 60 days"
    summary.append([f"Accounts over 60 days past due as of {as_of.isoformat()}"])
    summary.append(HEADER)
    for line in lines:
        summary.append(cells(line))
    history = book.create_sheet("Action history")
    history.append(["Account", "When", "Kind", "Outcome", "Next step", "By"])
    for line in lines:
        number = line.row.account.account_number if line.row.account else str(line.row.customer_id)
        for a in line.history:
            history.append(
                [
                    number,
                    a.occurred_at.astimezone(line.zone).replace(tzinfo=None),
                    a.kind,
                    a.outcome,
                    a.next_step,
                    a.recorded_by,
                ]
            )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# The PDF's columns: (title, width mm, alignment), 259 mm across a landscape Letter page inside
# 10 mm margins. Numbers get room for "9,999,999.99" at 8 pt; long text wraps inside its cell.
PDF_COLUMNS: list[tuple[str, Millimetres, str]] = [
    ("Account", 20, "LEFT"),
    ("Customer", 35, "LEFT"),
    ("District", 18, "LEFT"),
    ("Sales rep", 18, "LEFT"),
    ("Cur.", 9, "LEFT"),
    ("Past due", 21, "RIGHT"),
    ("Oldest (days)", 13, "RIGHT"),
    ("Disputed", 19, "RIGHT"),
    ("Promised", 19, "RIGHT"),
    ("Actions", 13, "RIGHT"),
    ("Last action", 42, "LEFT"),
    ("Next step", 32, "LEFT"),
]
PDF_FONT_SIZE = 8


def pdf_cells(line: ReportLine) -> list[str]:
    """One account's row as the PDF prints it: money in the currency's format."""
    printed = cells(line)
    currency = line.row.currency
    return [format_money(c, currency) if isinstance(c, Decimal) else str(c) for c in printed]


def report_pdf(lines: list[ReportLine], as_of: date, company: CompanyProfile) -> bytes:
    title = f"Accounts over 60 days past due as of {as_of.isoformat()}"
    doc = Document(company, title=title, footer_label="management report")
    doc.add_page(orientation="landscape")
    doc.heading(title, 13)
    doc.set_font(FONT, size=PDF_FONT_SIZE)
    with doc.table(
        col_widths=[width for _, width, _ in PDF_COLUMNS],
        text_align=[align for _, _, align in PDF_COLUMNS],  # type: ignore[arg-type]
        width=sum(width for _, width, _ in PDF_COLUMNS),
        line_height=PDF_FONT_SIZE * 0.5,
    ) as table:
        table.row([title for title, _, _ in PDF_COLUMNS])
        for line in lines:
            table.row(pdf_cells(line))
    return doc.render()
