"""The job-margin report as an XLSX workbook: the same rows and numbers as the JSON answer."""

import io
from collections.abc import Sequence
from decimal import Decimal

from openpyxl import Workbook

from services.invoicing.domain.margin import MarginGrouping, MarginRow
from shared.money import round_money

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KEY_COLUMNS = {
    MarginGrouping.TICKET: ["period", "district", "ticket"],
    MarginGrouping.JOB_SITE: ["period", "district", "job_site"],
    MarginGrouping.DISTRICT: ["period", "district"],
    MarginGrouping.PERIOD: ["period"],
}


def margin_xlsx(rows: Sequence[MarginRow], grouping: MarginGrouping) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = f"Job margin by {grouping.value}"  # type: ignore[union-attr]
    sheet.append(  # type: ignore[union-attr]
        [*KEY_COLUMNS[grouping], "currency", "revenue", "cost", "unbilled_pass_through", "margin"]
    )
    for row in rows:
        amounts: list[Decimal] = [row.revenue, row.cost, row.unbilled_pass_through, row.margin]
        # Numbers stay numbers in the sheet, at the currency's minor unit as in the JSON answer.
        sheet.append(  # type: ignore[union-attr]
            [*row.key, row.currency, *(round_money(a, row.currency) for a in amounts)]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
