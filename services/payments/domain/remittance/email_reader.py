"""A remittance advice sent by email (an `.eml` file, RFC 5322 with MIME parts): who sent it and
when, and the lines of its body and of its attachments. A text PDF is read with pypdf, an XLSX
with openpyxl, a CSV with the csv module; a PDF without a text layer (a scan), an image or
another kind of file is reported as not readable, and nothing is guessed from it."""

import csv
import email.utils
import io
import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from html.parser import HTMLParser

import openpyxl
from pypdf import PdfReader

from services.payments.domain.remittance.lines import lines_from_rows, lines_from_text
from services.payments.domain.remittance.model import (
    AdviceLine,
    MalformedRemittance,
    PartOutcome,
    ReadAdvice,
)

# Bounds on what one attachment may make us read: pages of a PDF, rows of a sheet.
MAX_PDF_PAGES = 200
MAX_ROWS = 20_000

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _TextOfHtml(HTMLParser):
    """An HTML body's text, a line per block, for a body sent only as HTML."""

    BLOCKS = frozenset({"p", "div", "br", "tr", "li", "h1", "h2", "h3", "table"})

    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in self.BLOCKS:
            self.chunks.append("\n")
        elif tag == "td":
            self.chunks.append("  ")

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)


def _html_text(html: str) -> str:
    parser = _TextOfHtml()
    parser.feed(html)
    return "".join(parser.chunks)


def _kind(part: EmailMessage) -> str:
    content_type = part.get_content_type()
    name = (part.get_filename() or "").lower()
    if content_type == "application/pdf" or name.endswith(".pdf"):
        return "pdf"
    if content_type == XLSX or name.endswith(".xlsx"):
        return "xlsx"
    if content_type in ("text/csv", "application/csv") or name.endswith(".csv"):
        return "csv"
    if content_type.startswith("image/"):
        return "image"
    return content_type


def _pdf_text(content: bytes) -> str | None:
    """The text of a PDF's pages, or None when it has none (a scanned image)."""
    reader = PdfReader(io.BytesIO(content))
    if reader.is_encrypted:
        raise ValueError("the PDF is encrypted")
    if len(reader.pages) > MAX_PDF_PAGES:
        raise ValueError(f"the PDF has {len(reader.pages)} pages, more than {MAX_PDF_PAGES}")
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return text if text.strip() else None


def _xlsx_rows(content: bytes) -> list[tuple[object, ...]]:
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        rows: list[tuple[object, ...]] = []
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows(values_only=True):
                rows.append(row)
                if len(rows) > MAX_ROWS:
                    raise ValueError(f"the workbook has more than {MAX_ROWS} rows")
        return rows
    finally:
        workbook.close()


def _csv_rows(content: bytes) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("latin-1")
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], ",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows = []
    for row in csv.reader(io.StringIO(text), dialect):
        rows.append(row)
        if len(rows) > MAX_ROWS:
            raise ValueError(f"the file has more than {MAX_ROWS} rows")
    return rows


def _read_attachment(name: str, kind: str, content: bytes, advice: ReadAdvice) -> None:
    if kind == "image":
        advice.parts.append(
            PartOutcome(name, kind, False, 0, "an image: a scanned advice is not read")
        )
        return
    if kind not in ("pdf", "xlsx", "csv"):
        advice.parts.append(
            PartOutcome(name, kind, False, 0, f"a {kind} attachment is not an advice format read")
        )
        return
    try:
        if kind == "pdf":
            text = _pdf_text(content)
            if text is None:
                advice.parts.append(
                    PartOutcome(
                        name, kind, False, 0, "the PDF has no text (a scanned image?): not read"
                    )
                )
                return
            found = lines_from_text(text, name)
            lines, problems, total = found.lines, found.problems, found.stated_total
        else:
            rows = _xlsx_rows(content) if kind == "xlsx" else _csv_rows(content)
            table = lines_from_rows(rows, name)
            if not table.has_header:
                advice.parts.append(
                    PartOutcome(
                        name, kind, False, 0, "no header row names an invoice and an amount column"
                    )
                )
                return
            lines, problems, total = table.lines, table.problems, table.stated_total
    except Exception as exc:  # noqa: BLE001 - the PDF and spreadsheet libraries raise many kinds
        # (their own errors, KeyError, struct and zlib errors...) on a damaged file: not readable.
        advice.parts.append(PartOutcome(name, kind, False, 0, f"cannot be opened: {exc!r}"[:300]))
        return
    advice.lines += lines
    advice.problems += problems
    if total is not None and advice.stated_total is None:
        advice.stated_total = total
    advice.parts.append(PartOutcome(name, kind, True, len(lines), f"{len(lines)} line(s) read"))


def _new_lines(lines: list[AdviceLine], known: list[AdviceLine]) -> list[AdviceLine]:
    """Lines of the body an attachment did not already give (a body often repeats the table)."""
    seen = {(line.invoice_number, line.amount_paid) for line in known}
    return [line for line in lines if (line.invoice_number, line.amount_paid) not in seen]


def read_email(content: bytes) -> ReadAdvice:
    """The advice in an email: its sender, subject and date, and the lines of its attachments and
    its body. Refused (422) only when it is not an email at all."""
    head = content.lstrip()[:4096]
    if not re.search(
        rb"^(from|date|subject|to|message-id|mime-version|received)\s*:",
        head,
        re.IGNORECASE | re.MULTILINE,
    ):
        raise MalformedRemittance(
            "the file is not an email: it has no From, Date or Subject header"
        )
    message = BytesParser(policy=policy.default).parsebytes(content)
    assert isinstance(message, EmailMessage)  # policy.default parses into EmailMessage
    advice = ReadAdvice()
    sender_name, sender_address = email.utils.parseaddr(str(message.get("From", "")))
    advice.sender = sender_address or None
    advice.payer_name = sender_name or None
    advice.subject = str(message.get("Subject", "")).strip()[:500] or None
    try:
        sent = email.utils.parsedate_to_datetime(str(message.get("Date", "")))
        advice.paid_on = sent.date()
    except (TypeError, ValueError, IndexError):
        advice.parts.append(PartOutcome("Date", "header", False, 0, "no readable Date header"))
    body: tuple[str, str] | None = None
    for number, part in enumerate(message.walk(), start=1):
        if part.is_multipart():
            continue
        name = part.get_filename() or f"part {number}"
        try:
            if part.get_content_disposition() == "attachment" or part.get_filename():
                payload = part.get_payload(decode=True)
                content_bytes = payload if isinstance(payload, bytes) else b""
                _read_attachment(name, _kind(part), content_bytes, advice)
            elif part.get_content_type() == "text/plain" and (body is None or body[0] == "html"):
                body = ("plain", part.get_content())
            elif part.get_content_type() == "text/html" and body is None:
                body = ("html", _html_text(part.get_content()))
        except (LookupError, ValueError, UnicodeError) as exc:
            # An unknown charset or a part whose encoding is broken.
            advice.parts.append(PartOutcome(name, part.get_content_type(), False, 0, str(exc)))
    if body is not None:
        found = lines_from_text(body[1], "body")
        lines = _new_lines(found.lines, advice.lines)
        advice.lines += lines
        advice.problems += found.problems
        if advice.stated_total is None:
            advice.stated_total = found.stated_total
        advice.parts.append(
            PartOutcome("body", f"text/{body[0]}", True, len(lines), f"{len(lines)} line(s) read")
        )
    return advice
