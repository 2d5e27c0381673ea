"""Sending mail: SMTP when a host is configured, otherwise a mail-drop folder (embedded mode),
where each message lands as an .eml file a person or a test can open."""

from email.message import EmailMessage
from pathlib import Path

import aiosmtplib

from services.collections.settings import CollectionsSettings


async def send(message: EmailMessage, settings: CollectionsSettings, name: str) -> None:
    if settings.smtp_host:
        await aiosmtplib.send(message, hostname=settings.smtp_host, port=settings.smtp_port)
        return
    folder = Path(settings.mail_drop_dir)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.eml").write_bytes(message.as_bytes())
