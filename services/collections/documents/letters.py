"""Letters to customers: the text from a Jinja2 template, a PDF of it, and the email carrying it."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path

from fpdf import FPDF

from shared.documents import format_money, latin1, text_environment
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


def render(template: str, **context: object) -> str:
    return _env.get_template(template).render(**context)


def pdf(letter: Letter) -> bytes:
    """The letter as a one-document PDF: heading, body, then a table of the items."""
    doc = FPDF()
    doc.add_page()
    doc.set_font("Helvetica", "B", 14)
    doc.cell(0, 10, latin1(letter.title), new_x="LMARGIN", new_y="NEXT")
    doc.set_font("Helvetica", size=10)
    doc.cell(
        0,
        6,
        latin1(f"{letter.customer_name} - account {letter.account_number}"),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    doc.cell(0, 6, f"As of {letter.as_of.isoformat()}", new_x="LMARGIN", new_y="NEXT")
    doc.ln(4)
    doc.multi_cell(0, 5, latin1(letter.body))
    doc.ln(4)
    with doc.table(
        col_widths=(40, 30, 30, 25, 35), text_align=("LEFT", "LEFT", "LEFT", "RIGHT", "RIGHT")
    ) as table:
        table.row(["Document", "Dated", "Due", "Days late", f"Balance {letter.currency}"])
        for line in letter.lines:
            table.row(
                [
                    latin1(line.number),
                    line.document_date.isoformat(),
                    line.due_date.isoformat(),
                    str(max(line.days_past_due, 0)),
                    format_money(line.balance, letter.currency),
                ]
            )
        table.row(["Total", "", "", "", format_money(letter.total, letter.currency)])
    return bytes(doc.output())


def email(
    letter: Letter, smtp: SmtpSettings, *, recipients: list[str], filename: str
) -> EmailMessage:
    return compose(
        smtp,
        to=recipients,
        subject=f"{letter.title}: account {letter.account_number}",
        body=letter.body,
        attachments=[(filename, pdf(letter), "application/pdf")],
    )
