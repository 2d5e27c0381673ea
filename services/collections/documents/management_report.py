"""The management report of accounts over 60 days past due: balance, age, what was done and
what happens next, as XLSX and PDF."""

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from fpdf import FPDF
from openpyxl import Workbook
from sqlmodel.ext.asyncio.session import AsyncSession

from services.collections.models import Activity
from services.collections.queries.work import activities_of_customers
from services.collections.queries.worklist import WorklistRow, worklist
from shared.documents import latin1


@dataclass
class ReportLine:
    row: WorklistRow
    history: list[Activity]

    @property
    def next_step(self) -> str:
        planned = [a for a in self.history if a.next_step]
        if not planned:
            return "none recorded"
        last = planned[-1]
        return (
            f"{last.next_step} ({last.next_step_on})" if last.next_step_on else str(last.next_step)
        )


async def over_60_days(session: AsyncSession, as_of: date) -> list[ReportLine]:
    rows = [r for r in await worklist(session, as_of) if r.needs_action_history]
    activities = await activities_of_customers(session, [r.customer_id for r in rows])
    return [ReportLine(r, [a for a in activities if a.customer_id == r.customer_id]) for r in rows]


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


def _cells(line: ReportLine) -> list[str | int | Decimal]:
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
        f"{last.occurred_at.date()} {last.kind}: {last.outcome or ''}" if last else "none",
        line.next_step,
    ]


def report_xlsx(lines: list[ReportLine], as_of: date) -> bytes:
    book = Workbook()
    summary = book.active
    summary.title = "Over 60 days"
    summary.append([f"Accounts over 60 days past due as of {as_of.isoformat()}"])
    summary.append(HEADER)
    for line in lines:
        summary.append(_cells(line))
    history = book.create_sheet("Action history")
    history.append(["Account", "When", "Kind", "Outcome", "Next step", "By"])
    for line in lines:
        number = line.row.account.account_number if line.row.account else str(line.row.customer_id)
        for a in line.history:
            history.append(
                [
                    number,
                    a.occurred_at.replace(tzinfo=None),
                    a.kind,
                    a.outcome,
                    a.next_step,
                    a.recorded_by,
                ]
            )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def report_pdf(lines: list[ReportLine], as_of: date) -> bytes:
    doc = FPDF(orientation="landscape")
    doc.add_page()
    doc.set_font("Helvetica", "B", 13)
    doc.cell(
        0,
        9,
        f"Accounts over 60 days past due as of {as_of.isoformat()}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    doc.set_font("Helvetica", size=8)
    with doc.table() as table:
        table.row(HEADER)
        for line in lines:
            table.row([latin1(str(c)) for c in _cells(line)])
    return bytes(doc.output())
