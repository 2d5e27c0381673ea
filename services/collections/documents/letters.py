"""Letters to customers: the text from a Jinja2 template, a PDF of it, and the email carrying it."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path

from fpdf.enums import XPos, YPos

from shared.company import CompanyProfile
from shared.documents import Document, format_money, text_environment
from shared.mail import SmtpSettings, compose

TEMPLATES = Path(__file__).parents[1] / "templates"
_env = text_environment(TEMPLATES)


@dataclass(frozen=True)
class LetterLine:
    number: str
    document_date: date
    due_date: date
    days_past_due: int
    balance: Decimal


@dataclass(frozen=True)
class Letter:
    title: str
    customer_name: str
    account_number: str
    as_of: date
    body: str
    lines: list[LetterLine]
    currency: str
    total: Decimal
    # A statement's: where to pay, and its items' balances by aging bucket (label, amount).
    remit_to: bool = False
    aging: list[tuple[str, Decimal]] = field(default_factory=list)


def render(template: str, **context: object) -> str:
    return _env.get_template(template).render(**context)


# Column widths in mm (fpdf's unit; layout, not money): the items table and the aging summary.
ITEM_COLUMNS = (40, 30, 30, 25, 35)
AGING_COLUMN = 24


def pdf(letter: Letter, company: CompanyProfile) -> bytes:
    """The letter on the company's page: heading, the customer (and, on a statement, where to
    remit), the body, a table of the items and, on a statement, the aging summary."""
    doc = Document(company, title=letter.title, footer_label=f"account {letter.account_number}")
    doc.add_page()
    doc.heading(letter.title, 14)
    doc.cell(
        0,
        6,
        f"{letter.customer_name} - account {letter.account_number}",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    doc.cell(0, 6, f"As of {letter.as_of.isoformat()}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if letter.remit_to:
        doc.ln(2)
        doc.heading("Remit to", 10)
        for address in [company.legal_name, *company.remit_to]:
            doc.cell(0, 4.5, address, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.ln(4)
    doc.paragraph(letter.body)
    doc.ln(4)
    with doc.table(
        col_widths=ITEM_COLUMNS, text_align=("LEFT", "LEFT", "LEFT", "RIGHT", "RIGHT")
    ) as table:
        table.row(["Document", "Dated", "Due", "Days late", f"Balance {letter.currency}"])
        for line in letter.lines:
            table.row(
                [
                    line.number,
                    line.document_date.isoformat(),
                    line.due_date.isoformat(),
                    str(max(line.days_past_due, 0)),
                    format_money(line.balance, letter.currency),
                ]
            )
        table.row(["Total", "", "", "", format_money(letter.total, letter.currency)])
    if letter.aging:
        doc.ln(4)
        doc.heading(f"Aging summary ({letter.currency})", 10)
        doc.simple_table(
            [(label, AGING_COLUMN, "R") for label, _ in letter.aging],
            [[format_money(amount, letter.currency) for _, amount in letter.aging]],
        )
    return doc.render()


def email(
    letter: Letter,
    smtp: SmtpSettings,
    company: CompanyProfile,
    *,
    recipients: list[str],
    filename: str,
) -> EmailMessage:
    return compose(
        smtp,
        to=recipients,
        subject=f"{letter.title}: account {letter.account_number}",
        body=letter.body,
        attachments=[(filename, pdf(letter, company), "application/pdf")],
    )
