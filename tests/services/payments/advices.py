"""Remittance advices as customers send them: emails written with the standard library, a text
PDF (fpdf2), a scanned one (an image only), an XLSX (openpyxl) and a CSV."""

import io
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime

import httpx
import openpyxl
from fpdf import FPDF
from PIL import Image

from shared.auth import Role
from tests.conftest import AuthHeaders

XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def advice_email(
    body: str,
    *attachments: tuple[str, bytes, tuple[str, str]],
    sender: str = "Jane Roe <ap@permianbasin.example>",
    subject: str = "Remittance advice - payment 2026-11-05",
    sent: datetime = datetime(2026, 11, 5, 9, 30, tzinfo=UTC),
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "ar@arplatform.example"
    message["Subject"] = subject
    message["Date"] = format_datetime(sent)
    message["Message-ID"] = f"<{abs(hash((body, subject, sent)))}@permianbasin.example>"
    message.set_content(body)
    for name, content, (maintype, subtype) in attachments:
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return bytes(message)


def text_pdf(*lines: str) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    for line in lines:
        pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def scanned_pdf() -> bytes:
    """A page that is only a picture, as a scanner makes it: no text layer to read."""
    picture = io.BytesIO()
    Image.new("L", (200, 100), color=200).save(picture, format="PNG")
    picture.seek(0)
    pdf = FPDF()
    pdf.add_page()
    pdf.image(picture, x=10, y=10, w=180)
    return bytes(pdf.output())


def png() -> bytes:
    picture = io.BytesIO()
    Image.new("RGB", (40, 20), color=(255, 255, 255)).save(picture, format="PNG")
    return picture.getvalue()


def xlsx(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


async def upload_advice(
    api: httpx.AsyncClient, auth: AuthHeaders, name: str, content: bytes
) -> httpx.Response:
    return await api.post(
        "/v1/remittance-advices",
        files={"file": (name, content)},
        headers=auth(Role.AR_COORDINATOR),
    )
