"""Sending an invoice by email: over SMTP when a host is configured, else into the mail-drop
folder as an .eml file (the embedded mode's outbox a person can open)."""

import uuid
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib

from services.invoicing.settings import Company, Smtp


def invoice_email(
    *,
    number: str,
    customer_name: str,
    recipients: list[str],
    pdf: bytes,
    company: Company,
    sender: str,
) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = f"Invoice {number} from {company.name}"
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message.set_content(
        f"Dear {customer_name},\n\nPlease find invoice {number} attached.\n\n"
        f"Remit to: {company.name}, {', '.join(company.remit_to)}.\n\n{company.name}\n"
    )
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename=f"{number}.pdf")
    return message


async def send(message: EmailMessage, smtp: Smtp) -> str:
    """Send the message; answers where it went, for the delivery record."""
    if smtp.host is None:
        folder = Path(smtp.mail_drop)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{uuid.uuid4().hex}.eml"
        path.write_bytes(message.as_bytes())
        return f"written to {path}"
    await aiosmtplib.send(
        message,
        hostname=smtp.host,
        port=smtp.port,
        username=smtp.username,
        password=smtp.password,
        start_tls=smtp.start_tls,
        timeout=30,
    )
    return f"sent to {message['To']} via {smtp.host}"
