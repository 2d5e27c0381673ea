"""Letters to customers: the text from a Jinja2 template, a PDF of it, and the email carrying it."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path

from fpdf import FPDF
from jinja2 import Environment, FileSystemLoader, StrictUndefined

TEMPLATES = Path(__file__).parent / "templates"
_env = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined, autoescape=False)


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


def latin1(text: str) -> str:
    # The core PDF fonts speak Latin-1; anything else shows as '?', never as an error.
    return text.encode("latin-1", "replace").decode("latin-1")


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
                    f"{line.balance:,.2f}",
                ]
            )
        table.row(["Total", "", "", "", f"{letter.total:,.2f}"])
    return bytes(doc.output())


def email(letter: Letter, *, sender: str, recipients: list[str], filename: str) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"] = sender, ", ".join(recipients)
    message["Subject"] = f"{letter.title}: account {letter.account_number}"
    message.set_content(letter.body)
    message.add_attachment(pdf(letter), maintype="application", subtype="pdf", filename=filename)
    return message
