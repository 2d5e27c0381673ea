"""Outgoing mail for every service: one SMTP setting (`AR_SMTP__*`), one way to compose a
message, one sender.

Without a host, messages land as .eml files in the mail-drop folder (embedded mode's outbox,
which a person or a test can open).
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import NamedTuple, TypedDict

import aiosmtplib
from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class SmtpSettings(BaseSettings):
    """Held by a service as `smtp: SmtpSettings = Field(default_factory=SmtpSettings)`."""

    model_config = SettingsConfigDict(env_prefix="AR_SMTP__", extra="ignore")

    host: str | None = None
    port: int = Field(default=587, ge=1, le=65535)
    username: str | None = None
    password: SecretStr | None = None
    # Upgrade a plain connection (submission port 587) ...
    starttls: bool = True
    # ... or speak TLS from the first byte (port 465); a server does one or the other.
    implicit_tls: bool = False
    timeout_seconds: float = Field(default=30, gt=0)
    sender: str = "billing@example.com"
    mail_drop: Path = Path("var/mail-drop")

    @model_validator(mode="after")
    def _one_tls_mode(self) -> "SmtpSettings":
        if self.starttls and self.implicit_tls:
            raise ValueError(
                "AR_SMTP__STARTTLS and AR_SMTP__IMPLICIT_TLS exclude each other: "
                "set AR_SMTP__STARTTLS=false to use implicit TLS"
            )
        return self


class Attachment(NamedTuple):
    filename: str
    content: bytes
    mime_type: str = "application/pdf"


def compose(
    smtp: SmtpSettings,
    *,
    to: Sequence[str],
    subject: str,
    body: str,
    attachments: Sequence[Attachment | tuple[str, bytes, str]] = (),
    reply_to: str | None = None,
    sender: str | None = None,
) -> EmailMessage:
    """A plain-text message from `sender` (default: the configured sender)."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender or smtp.sender
    message["To"] = ", ".join(to)
    if reply_to:
        message["Reply-To"] = reply_to
    message.set_content(body)
    for filename, content, mime_type in attachments:
        maintype, _, subtype = mime_type.partition("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return message


class MailError(Exception):
    """The mail server refused, failed or did not answer in time."""


@dataclass(frozen=True, slots=True)
class Delivery:
    """What `send` did: handed the message to `host`, or dropped it into `path`."""

    recipients: str
    host: str | None = None
    path: Path | None = None

    @property
    def dropped(self) -> bool:
        return self.path is not None

    def __str__(self) -> str:
        if self.path is not None:
            return f"written to {self.path}"
        return f"sent to {self.recipients} via {self.host}"


async def send(message: EmailMessage, smtp: SmtpSettings, *, name: str | None = None) -> Delivery:
    """Send over SMTP, or write `<name>.eml` (a random name by default) into the mail drop when
    no host is configured."""
    recipients = str(message["To"] or "")
    if smtp.host is None:
        smtp.mail_drop.mkdir(parents=True, exist_ok=True)
        path = smtp.mail_drop / f"{name or uuid.uuid4().hex}.eml"
        path.write_bytes(message.as_bytes())
        return Delivery(recipients, path=path)
    try:
        await aiosmtplib.send(message, **smtp_arguments(smtp))
    except aiosmtplib.SMTPException as error:
        raise MailError(
            f"mail to {recipients} via {smtp.host}:{smtp.port} failed: {error}"
        ) from error
    except OSError as error:
        raise MailError(
            f"mail to {recipients}: cannot reach {smtp.host}:{smtp.port}: {error}"
        ) from error
    return Delivery(recipients, host=smtp.host)


class SmtpArguments(TypedDict):
    hostname: str | None
    port: int
    username: str | None
    password: str | None
    start_tls: bool
    use_tls: bool
    timeout: float


def smtp_arguments(smtp: SmtpSettings) -> SmtpArguments:
    """The connection arguments for aiosmtplib (it logs in only when a username is set)."""
    return {
        "hostname": smtp.host,
        "port": smtp.port,
        "username": smtp.username,
        "password": smtp.password.get_secret_value() if smtp.password else None,
        "start_tls": smtp.starttls,
        "use_tls": smtp.implicit_tls,
        "timeout": smtp.timeout_seconds,
    }
