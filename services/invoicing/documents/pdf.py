"""The invoice as a customer receives it: one or more pages on the platform's document page
(shared.documents), with the invoice's own header of facts, bill-to and remit-to blocks."""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from fpdf.enums import XPos, YPos

from services.invoicing.domain.invoices import InvoiceStatus, open_amount, shown_status
from services.invoicing.models.invoices import Invoice
from shared.company import CompanyProfile
from shared.documents import Document, Millimetres, format_money, format_money_with_code

# description, ticket, quantity, unit, unit price, amount (mm; the page is 190 wide inside margins)
COLUMNS = (74, 26, 18, 14, 28, 30)


def _address(address: dict[str, Any] | None) -> list[str]:
    if not address:
        return []
    city = (
        f"{address.get('city', '')}, {address.get('region', '')} {address.get('postal_code', '')}"
    )
    return [line for line in (address.get("line1"), address.get("line2"), city) if line]


class InvoicePdf(Document):
    def __init__(self, invoice: Invoice, company: CompanyProfile) -> None:
        number = invoice.number or "draft"
        # The invoice prints its own header (facts beside the company), so the page's is off.
        super().__init__(
            company,
            title=f"Invoice {number}",
            footer_label=f"invoice {invoice.number or 'DRAFT'}",
            header=False,
        )
        self.invoice = invoice

    def block(
        self,
        title: str,
        lines: Sequence[str],
        x_mm: Millimetres,
        y_mm: Millimetres,
        width_mm: Millimetres,
    ) -> Millimetres:
        """A titled block of lines at a position on the page; gives the y just below it."""
        self.set_xy(x_mm, y_mm)
        self.set_font("Helvetica", "B", 9)
        self.cell(width_mm, 5, (title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font("Helvetica", size=9)
        for line in lines:
            self.set_x(x_mm)
            self.cell(width_mm, 4.5, (line), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return self.get_y()


def _header(pdf: InvoicePdf) -> None:
    invoice, company = pdf.invoice, pdf.company
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(120, 8, (company.legal_name))
    pdf.set_font("Helvetica", "B", 20)
    title = {
        InvoiceStatus.VOIDED: "INVOICE - VOID",
        InvoiceStatus.CREDITED: "INVOICE - CREDITED",
    }.get(shown_status(invoice.status, invoice.total, invoice.credited), "INVOICE")
    pdf.cell(70, 8, title, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    top = pdf.get_y() + 2
    pdf.block("", [*company.address, *company.contact], 10, top, 95)
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
    site = [invoice.job_site or "-", *_address(invoice.job_site_address)]
    middle = pdf.block("Job site", site, 75, top, 55)
    right = pdf.block("Remit to", [company.legal_name, *company.remit_to], 135, top, 65)
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


def _special_instructions(pdf: InvoicePdf) -> None:
    """The customer's standing instructions (from its billing profile), above the lines."""
    if not pdf.invoice.special_instructions:
        return
    pdf.set_font("Helvetica", "B", 9)
    pdf.cell(0, 5, "Special instructions", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", size=9)
    pdf.multi_cell(0, 4.5, pdf.invoice.special_instructions, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)


def _lines(pdf: InvoicePdf) -> None:
    headings = ("Description", "Ticket", "Qty", "Unit", "Unit price", "Amount")
    pdf.set_font("Helvetica", "B", 9)
    pdf.set_fill_color(230, 230, 230)
    for width, heading in zip(COLUMNS, headings, strict=True):
        pdf.cell(width, 6, heading, border="B", fill=True, align="L" if width > 20 else "R")
    pdf.ln()
    pdf.set_font("Helvetica", size=9)
    currency = pdf.invoice.currency
    for line in pdf.invoice.lines:
        values = (
            line["description"][:48],
            line.get("ticket_number") or "",
            f"{Decimal(line['quantity']).normalize():f}",
            line["unit"],
            format_money(Decimal(line["unit_price"]), currency),
            format_money(Decimal(line["amount"]), currency),
        )
        for width, value in zip(COLUMNS, values, strict=True):
            pdf.cell(width, 5.5, (value), align="L" if width > 20 else "R")
        pdf.ln()


def _totals(pdf: InvoicePdf) -> None:
    invoice = pdf.invoice
    rows = [("Subtotal", invoice.subtotal)]
    rows += [
        (
            f"{tax['name']} ({tax['jurisdiction']}) {Decimal(tax['rate']) * 100:.3f}% on "
            f"{format_money(Decimal(tax['taxable_amount']), invoice.currency)}",
            Decimal(tax["amount"]),
        )
        for tax in invoice.taxes
    ]
    pdf.ln(3)
    pdf.set_font("Helvetica", size=9)
    for label, amount in rows:
        pdf.cell(160, 5.5, label, align="R")
        pdf.cell(
            30,
            5.5,
            format_money(amount, invoice.currency),
            align="R",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(160, 7, "Total due", align="R", border="T")
    pdf.cell(
        30,
        7,
        format_money_with_code(invoice.total, invoice.currency),
        align="R",
        border="T",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    if invoice.credited or invoice.paid:
        # A copy printed after credits or payments says what is still owed, not only the total.
        pdf.set_font("Helvetica", size=9)
        # What payments kept on account of a memo settles nothing here.
        credited = invoice.credited - invoice.credit_on_account
        for label, amount in (("Credited", credited), ("Paid", invoice.paid)):
            if amount:
                pdf.cell(160, 5.5, label, align="R")
                pdf.cell(
                    30,
                    5.5,
                    format_money(-amount, invoice.currency),
                    align="R",
                    new_x=XPos.LMARGIN,
                    new_y=YPos.NEXT,
                )
        pdf.set_font("Helvetica", "B", 11)
        pdf.cell(160, 7, "Balance due", align="R")
        pdf.cell(
            30,
            7,
            format_money_with_code(
                open_amount(
                    invoice.total, invoice.credited, invoice.paid, invoice.credit_on_account
                ),
                invoice.currency,
            ),
            align="R",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
    if invoice.discount_amount and invoice.discount_due_date:
        discounted = format_money_with_code(
            invoice.total - invoice.discount_amount, invoice.currency
        )
        pdf.set_font("Helvetica", size=9)
        pdf.cell(
            0,
            6,
            (
                f"Pay {discounted} by "
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
        (
            f"Please quote invoice {invoice.number or ''} with your payment and remit to "
            f"{pdf.company.legal_name}, {', '.join(pdf.company.remit_to)}."
        ),
    )


def render_invoice(invoice: Invoice, company: CompanyProfile) -> bytes:
    pdf = InvoicePdf(invoice, company)
    pdf.add_page()
    _header(pdf)
    _special_instructions(pdf)
    _lines(pdf)
    _totals(pdf)
    return pdf.render()
