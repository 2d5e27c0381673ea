"""The invoice as a customer receives it: a one-or-more-page PDF (fpdf2, core fonts)."""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from services.invoicing.invoices.models import Invoice
from services.invoicing.settings import Company

# description, ticket, quantity, unit, unit price, amount (mm; the page is 190 wide inside margins)
COLUMNS = (74, 26, 18, 14, 28, 30)


def _text(value: Any) -> str:
    """Core PDF fonts speak Latin-1: anything else prints as '?' rather than failing."""
    return str(value if value is not None else "").encode("latin-1", "replace").decode("latin-1")


def _money(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}" if currency else f"{amount:,.2f}"


def _address(address: dict[str, Any] | None) -> list[str]:
    if not address:
        return []
    city = (
        f"{address.get('city', '')}, {address.get('region', '')} {address.get('postal_code', '')}"
    )
    return [line for line in (address.get("line1"), address.get("line2"), city) if line]


class InvoicePdf(FPDF):
    def __init__(self, invoice: Invoice, company: Company) -> None:
        super().__init__(format="Letter")
        self.invoice, self.company = invoice, company
        self.set_auto_page_break(auto=True, margin=20)
        self.set_title(_text(f"Invoice {invoice.number or 'draft'}"))
        self.set_author(_text(company.name))

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("Helvetica", size=8)
        self.cell(
            0,
            5,
            _text(
                f"{self.company.name} - invoice {self.invoice.number or 'DRAFT'}"
                f" - page {self.page_no()}"
            ),
            align="C",
        )

    def block(
        self, title: str, lines: Sequence[str], x_mm: float, y_mm: float, width_mm: float
    ) -> float:
        """A titled block of lines at a position on the page (millimetres, fpdf's unit; layout,
        not money); gives the y (mm) just below it."""
        self.set_xy(x_mm, y_mm)
        self.set_font("Helvetica", "B", 9)
        self.cell(width_mm, 5, _text(title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font("Helvetica", size=9)
        for line in lines:
            self.set_x(x_mm)
            self.cell(width_mm, 4.5, _text(line), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return self.get_y()


def _header(pdf: InvoicePdf) -> None:
    invoice, company = pdf.invoice, pdf.company
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(120, 8, _text(company.name))
    pdf.set_font("Helvetica", "B", 20)
    title = "INVOICE" if invoice.status != "voided" else "INVOICE - VOID"
    pdf.cell(70, 8, title, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    contact = [line for line in (company.phone, company.email) if line]
    top = pdf.get_y() + 2
    pdf.block("", [*company.address, *contact], 10, top, 95)
    facts = [
        f"Invoice number: {invoice.number or 'DRAFT'}",
        f"Invoice date: {invoice.invoice_date.isoformat()}",
        f"Due date: {invoice.due_date.isoformat() if invoice.due_date else '-'}",
        f"Terms: {_terms(invoice.terms)}",
        f"Account: {invoice.account_number}",
        f"PO: {invoice.po_number or '-'}",
    ]
    bottom = pdf.block("", facts, 120, top, 80)
    top = bottom + 4
    left = pdf.block("Bill to", [invoice.customer_name, *_address(invoice.bill_to)], 10, top, 60)
    middle = pdf.block("Job site", [invoice.job_site or "-"], 75, top, 55)
    right = pdf.block("Remit to", [company.name, *company.remit_to], 135, top, 65)
    pdf.set_y(max(left, middle, right) + 6)


def _terms(terms: dict[str, Any]) -> str:
    kind, days = terms.get("kind"), terms.get("days", 0)
    text = {
        "net": f"Net {days}",
        "due_on_receipt": "Due on receipt",
        "end_of_month": f"End of month + {days}",
    }.get(str(kind), str(kind))
    if terms.get("discount_percent"):
        text = (
            f"{Decimal(terms['discount_percent']).normalize()}/{terms.get('discount_days')} {text}"
        )
    return text


def _lines(pdf: InvoicePdf) -> None:
    headings = ("Description", "Ticket", "Qty", "Unit", "Unit price", "Amount")
    pdf.set_font("Helvetica", "B", 9)
    pdf.set_fill_color(230, 230, 230)
    for width, heading in zip(COLUMNS, headings, strict=True):
        pdf.cell(width, 6, heading, border="B", fill=True, align="L" if width > 20 else "R")
    pdf.ln()
    pdf.set_font("Helvetica", size=9)
    for line in pdf.invoice.lines:
        values = (
            line["description"][:48],
            line.get("ticket_number") or "",
            f"{Decimal(line['quantity']).normalize():f}",
            line["unit"],
            f"{Decimal(line['unit_price']):,.2f}",
            f"{Decimal(line['amount']):,.2f}",
        )
        for width, value in zip(COLUMNS, values, strict=True):
            pdf.cell(width, 5.5, _text(value), align="L" if width > 20 else "R")
        pdf.ln()


def _totals(pdf: InvoicePdf) -> None:
    invoice = pdf.invoice
    rows = [("Subtotal", invoice.subtotal)]
    rows += [
        (
            f"{tax['name']} ({tax['jurisdiction']}) {Decimal(tax['rate']) * 100:.3f}% on "
            f"{Decimal(tax['taxable_amount']):,.2f}",
            Decimal(tax["amount"]),
        )
        for tax in invoice.taxes
    ]
    pdf.ln(3)
    pdf.set_font("Helvetica", size=9)
    for label, amount in rows:
        pdf.cell(160, 5.5, _text(label), align="R")
        pdf.cell(30, 5.5, _money(amount, ""), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(160, 7, "Total due", align="R", border="T")
    pdf.cell(
        30,
        7,
        _money(invoice.total, invoice.currency),
        align="R",
        border="T",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    if invoice.discount_amount and invoice.discount_due_date:
        pdf.set_font("Helvetica", size=9)
        pdf.cell(
            0,
            6,
            _text(
                f"Pay {_money(invoice.total - invoice.discount_amount, invoice.currency)} by "
                f"{invoice.discount_due_date.isoformat()} to take the early-payment discount."
            ),
            align="R",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
    pdf.ln(4)
    pdf.set_font("Helvetica", size=8)
    pdf.multi_cell(
        0,
        4,
        _text(
            f"Please quote invoice {invoice.number or ''} with your payment and remit to "
            f"{pdf.company.name}, {', '.join(pdf.company.remit_to)}."
        ),
    )


def render_invoice(invoice: Invoice, company: Company) -> bytes:
    pdf = InvoicePdf(invoice, company)
    pdf.add_page()
    _header(pdf)
    _lines(pdf)
    _totals(pdf)
    return bytes(pdf.output())
