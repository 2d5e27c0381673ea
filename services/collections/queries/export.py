"""The aging as CSV or XLSX: the same numbers as the JSON answer, in a table a person opens."""

import csv
import io
from decimal import Decimal

from openpyxl import Workbook

from services.collections.queries.aging import Aging, AgingLine
from shared.money import round_money

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _table(report: Aging) -> list[list[str | Decimal]]:
    labels = report.query.buckets.labels
    header: list[str | Decimal] = [
        "currency",
        "group",
        "name",
        *labels,
        "open_ar",
        "unapplied_credits",
        "net",
    ]

    def row(line: AgingLine, group: str) -> list[str | Decimal]:
        amounts = [*line.buckets, line.open_ar, line.credits, line.net]
        # In the currency's minor unit, as the JSON answer shows them.
        return [
            line.currency,
            group,
            line.name or "",
            *(round_money(a, line.currency) for a in amounts),
        ]

    return [
        header,
        *(row(line, line.group or "") for line in report.rows),
        *(row(line, "TOTAL") for line in report.totals),
    ]


def aging_csv(report: Aging) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(_table(report))
    return out.getvalue()


def aging_xlsx(report: Aging) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = f"Aging {report.query.as_of.isoformat()}"
    for row in _table(report):
        # Numbers stay numbers in the sheet; openpyxl writes Decimals exactly as given.
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
