"""The AR pack for a month (docs/domain.md#ar-pack), as XLSX and PDF: aging by district and
bucket, KPIs against targets, the rollforward tied to the ledger and the AR control account,
the credit memo, cash receipts and write-off registers, sales-tax liability by jurisdiction and
the accounts over 60 days."""

import io
from dataclasses import dataclass
from datetime import tzinfo
from decimal import Decimal

from openpyxl import Workbook
from sqlmodel.ext.asyncio.session import AsyncSession

from services.collections.documents.management_report import HEADER as OVER_60_HEADER
from services.collections.documents.management_report import (
    ReportLine,
    cells,
    over_60_days,
    pdf_cells,
)
from services.collections.domain.gl import Rollforward, RollforwardLine
from services.collections.domain.ledger import EntryKind
from services.collections.queries.aging import Aging, AgingQuery, GroupBy, aging
from services.collections.queries.gl import (
    RegisterLine,
    TaxLiability,
    cash_receipts,
    entry_register,
    tax_liability,
    tied_ar_rollforward,
)
from services.collections.queries.kpis import Month, MonthKpis, monthly_kpis
from services.collections.queries.tie_out import TieOut
from services.collections.settings import CollectionsSettings
from shared.company import CompanyProfile
from shared.documents import Document, Millimetres, format_money
from shared.money import round_money

# A register longer than this prints its first lines and says how many more the XLSX has.
PDF_REGISTER_LINES = 200


@dataclass(frozen=True)
class TiedRollforward:
    rollforward: Rollforward
    tie: TieOut

    @property
    def ties(self) -> bool:
        """Closing = the ledger's AR = the AR control account, to the cent."""
        currency = self.rollforward.currency
        closing = round_money(self.rollforward.closing, currency)
        return (
            closing
            == round_money(self.tie.ledger, currency)
            == round_money(self.tie.journal, currency)
        )


@dataclass
class ArPack:
    month: Month
    aging: Aging
    kpis: list[MonthKpis]
    targets: dict[str, Decimal]
    rollforwards: list[TiedRollforward]
    credit_memos: list[RegisterLine]
    cash_receipts: list[RegisterLine]
    write_offs: list[RegisterLine]
    tax: list[TaxLiability]
    over_60: list[ReportLine]

    @property
    def title(self) -> str:
        return f"AR pack {self.month}"


async def tied_rollforwards(
    session: AsyncSession, month: Month, ar_account: str
) -> list[TiedRollforward]:
    """Each currency's rollforward beside the tie-out at the month's end, read together."""
    found = await tied_ar_rollforward(session, month.first, month.last, ar_account)
    return [TiedRollforward(r, tie) for r, tie in found]


async def ar_pack(
    session: AsyncSession, settings: CollectionsSettings, month: Month, zone: tzinfo
) -> ArPack:
    first, last = month.first, month.last
    return ArPack(
        month=month,
        aging=await aging(session, AgingQuery(as_of=last, group_by=GroupBy.DISTRICT)),
        kpis=await monthly_kpis(session, month, group_by=GroupBy.DISTRICT),
        targets=settings.dso_targets,
        rollforwards=await tied_rollforwards(session, month, settings.chart.ar_control),
        credit_memos=await entry_register(session, [EntryKind.CREDIT_MEMO], first, last),
        cash_receipts=await cash_receipts(session, settings.chart.cash, first, last),
        write_offs=await entry_register(session, [EntryKind.WRITTEN_OFF], first, last),
        tax=await tax_liability(session, first, last),
        over_60=await over_60_days(session, last, zone),
    )


Cell = str | int | Decimal | None
Table = tuple[str, list[str], list[list[Cell]]]


def _money(amount: Decimal, currency: str) -> Decimal:
    return round_money(amount, currency)


ROLLFORWARD_ROWS = [
    ("Opening AR", None),
    ("+ Invoices", RollforwardLine.INVOICES),
    ("+ Supplementary invoices", RollforwardLine.SUPPLEMENTARY_INVOICES),
    ("- Credit memos", RollforwardLine.CREDIT_MEMOS),
    ("- Cash applied", RollforwardLine.CASH_APPLIED),
    ("- Write-offs", RollforwardLine.WRITE_OFFS),
    ("+/- Other adjustments", RollforwardLine.OTHER),
]


def _tables(pack: ArPack) -> list[Table]:
    """Every section as (title, header, rows): the XLSX writes a sheet each, the PDF a table."""
    labels = pack.aging.query.buckets.labels
    aging_rows: list[list[Cell]] = [
        [
            line.currency,
            line.group or "TOTAL",
            *(_money(b, line.currency) for b in line.buckets),
            _money(line.open_ar, line.currency),
            _money(line.credits, line.currency),
        ]
        for line in [*pack.aging.rows, *pack.aging.totals]
    ]
    kpi_rows: list[list[Cell]] = []

    def days(value: Decimal | None) -> str:
        # Days and percentages are not money: printed as the KPI answer gives them.
        return "" if value is None else str(value)

    for k in pack.kpis:
        target = pack.targets.get(k.group or "")
        on_target = (
            ""
            if target is None or k.dso_standard is None
            else ("yes" if k.dso_standard <= target else "no")
        )
        kpi_rows.append(
            [
                k.currency,
                k.group,
                _money(k.credit_sales, k.currency),
                _money(k.ending_ar, k.currency),
                days(k.dso_standard),
                days(k.dso_countback),
                days(k.best_possible_dso),
                days(k.cei),
                days(target),
                on_target,
            ]
        )
    roll_rows: list[list[Cell]] = []
    for tied in pack.rollforwards:
        r, c = tied.rollforward, tied.rollforward.currency
        for label, line in ROLLFORWARD_ROWS:
            roll_rows.append([c, label, _money(r.opening if line is None else r.shown(line), c)])
        for kind, amount in sorted(r.other.items()):
            roll_rows.append([c, f"    of which {kind}", _money(amount, c)])
        roll_rows += [
            [c, "= Closing AR", _money(r.closing, c)],
            [c, "Ledger AR at month end", _money(tied.tie.ledger, c)],
            [c, "AR control account at month end", _money(tied.tie.journal, c)],
            [c, "Ties to the cent", "yes" if tied.ties else "NO"],
        ]

    def register(lines: list[RegisterLine]) -> list[list[Cell]]:
        return [
            [
                str(x.on),
                x.number,
                x.account_number,
                x.legal_name,
                x.business_district,
                x.currency,
                _money(x.amount, x.currency),
                x.detail,
            ]
            for x in lines
        ]

    register_header = ["Date", "Document", "Account", "Customer", "District", "Cur.", "Amount", ""]
    return [
        ("Aging by district", ["Cur.", "District", *labels, "Open AR", "Credits"], aging_rows),
        (
            "KPIs against targets",
            ["Cur.", "District", "Sales", "AR", "DSO", "Countback", "Best", "CEI", "Target", "On"],
            kpi_rows,
        ),
        ("AR rollforward", ["Cur.", "Line", "Amount"], roll_rows),
        ("Credit memo register", register_header, register(pack.credit_memos)),
        ("Cash receipts journal", [*register_header[:-1], "Source"], register(pack.cash_receipts)),
        ("Write-off register", register_header, register(pack.write_offs)),
        (
            "Sales tax by jurisdiction",
            ["Cur.", "Jurisdiction", "Invoiced", "Credited", "Net"],
            [
                [
                    t.currency,
                    t.jurisdiction,
                    _money(t.invoiced, t.currency),
                    _money(t.credited, t.currency),
                    _money(t.net, t.currency),
                ]
                for t in pack.tax
            ],
        ),
        ("Over 60 days", OVER_60_HEADER, [list(cells(line)) for line in pack.over_60]),
    ]


def pack_xlsx(pack: ArPack) -> bytes:
    # Write-only: rows stream to the file, so a month of a million documents fits in memory.
    book = Workbook(write_only=True)
    for title, header, rows in _tables(pack):
        sheet = book.create_sheet(title[:31])
        sheet.append([f"{pack.title}: {title}"])
        sheet.append(header)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _printed(value: Cell, currency: str | None) -> str:
    if isinstance(value, Decimal) and currency:
        return format_money(value, currency)
    return "" if value is None else str(value)


def pack_pdf(pack: ArPack, company: CompanyProfile) -> bytes:
    doc = Document(company, title=pack.title, footer_label=pack.title)
    doc.add_page(orientation="landscape")
    doc.heading(pack.title, 14)
    width: Millimetres = 259  # landscape Letter inside 10 mm margins
    over_60_rows = [pdf_cells(line) for line in pack.over_60]
    for title, header, rows in _tables(pack):
        doc.heading(title, 11)
        column = width / len(header)
        shown = rows[:PDF_REGISTER_LINES]
        if title == "Over 60 days":
            printed = over_60_rows[:PDF_REGISTER_LINES]
        else:
            # The currency is each row's first or sixth cell (the registers').
            at = 5 if "Cur." in header and header.index("Cur.") == 5 else 0
            printed = [[_printed(v, str(row[at])) for v in row] for row in shown]
        doc.simple_table(
            [(h, column, "L" if i < 2 else "R") for i, h in enumerate(header)],
            printed,
            font_size=7,
            row_height_mm=4.5,
        )
        if len(rows) > PDF_REGISTER_LINES:
            doc.paragraph(f"... and {len(rows) - PDF_REGISTER_LINES:,} more lines: see the XLSX.")
        doc.ln(3)
    return doc.render()
