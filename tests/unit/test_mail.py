"""shared.mail: login, STARTTLS, timeouts and the mail drop against real sockets."""

import email.policy
import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from pydantic import ValidationError

from shared.mail import Attachment, MailError, SmtpSettings, compose, send, smtp_arguments

USER, PASSWORD = b"billing", b"s3cret"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Inbox:
    def __init__(self) -> None:
        self.received: list[tuple[Any, Any]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append((session, envelope))
        return "250 OK"


def _authenticate(
    server: Any, session: Any, envelope: Any, mechanism: str, data: Any
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (USER, PASSWORD)
    return AuthResult(success=ok, handled=False)


@contextmanager
def _server(inbox: Inbox, **options: Any) -> Iterator[int]:
    port = _free_port()
    controller = Controller(
        inbox, hostname="127.0.0.1", port=port, authenticator=_authenticate, **options
    )
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    # A STARTTLS test that skipped would prove nothing: without openssl it fails and says why.
    assert shutil.which("openssl"), "install openssl (Debian: apt-get install openssl)"
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost"]
        + ["-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )
    return cert, key


def _settings(**values: Any) -> SmtpSettings:
    return SmtpSettings(sender="billing@example.com", **values)


def _message(smtp: SmtpSettings) -> Any:
    return compose(
        smtp,
        to=["ap@customer.example", "owner@customer.example"],
        subject="Invoice INV-1",
        body="Please find the invoice attached.",
        attachments=[Attachment("INV-1.pdf", b"%PDF-1.4 test")],
        reply_to="ar@example.com",
    )


async def test_sender_logs_in_over_starttls(
    certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    cert, key = certificate
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    # The client trusts the throwaway certificate the way it trusts any system CA.
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    inbox = Inbox()
    with _server(inbox, tls_context=server_tls, require_starttls=True) as port:
        smtp = _settings(host="127.0.0.1", port=port, username="billing", password="s3cret")
        delivery = await send(_message(smtp), smtp)
    assert not delivery.dropped
    assert str(delivery) == "sent to ap@customer.example, owner@customer.example via 127.0.0.1"
    [(session, envelope)] = inbox.received
    assert session.authenticated and session.ssl is not None
    assert envelope.rcpt_tos == ["ap@customer.example", "owner@customer.example"]


async def test_sender_logs_in_without_tls_when_told_to() -> None:
    inbox = Inbox()
    with _server(inbox, auth_require_tls=False) as port:
        smtp = _settings(
            host="127.0.0.1", port=port, username="billing", password="s3cret", starttls=False
        )
        await send(_message(smtp), smtp)
    [(session, envelope)] = inbox.received
    assert session.authenticated
    mail = message_from_bytes(envelope.content, policy=email.policy.default)
    assert mail["Reply-To"] == "ar@example.com"
    assert [part.get_filename() for part in mail.iter_attachments()] == ["INV-1.pdf"]


async def test_a_refused_login_is_a_mail_error() -> None:
    with _server(Inbox(), auth_require_tls=False) as port:
        smtp = _settings(
            host="127.0.0.1",
            port=port,
            username="billing",
            password="wrong",
            starttls=False,
            timeout_seconds=3,
        )
        with pytest.raises(MailError, match=f"via 127.0.0.1:{port} failed: .*[Aa]uth"):
            await send(_message(smtp), smtp)


async def test_a_server_that_never_answers_times_out() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # accepts the connection in the backlog, never sends a greeting
        smtp = _settings(host="127.0.0.1", port=silent.getsockname()[1], timeout_seconds=0.3)
        started = time.monotonic()
        with pytest.raises(MailError, match="[Tt]imed out"):
            await send(_message(smtp), smtp)
    assert time.monotonic() - started < 5


def test_implicit_tls_is_passed_to_the_client_and_excludes_starttls(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AR_SMTP__HOST", "mail.example.com")
    monkeypatch.setenv("AR_SMTP__PORT", "465")
    monkeypatch.setenv("AR_SMTP__STARTTLS", "false")
    monkeypatch.setenv("AR_SMTP__IMPLICIT_TLS", "true")
    monkeypatch.setenv("AR_SMTP__TIMEOUT_SECONDS", "12")
    arguments = smtp_arguments(SmtpSettings())
    assert arguments["use_tls"] is True and arguments["start_tls"] is False
    assert (arguments["hostname"], arguments["port"], arguments["timeout"]) == (
        "mail.example.com",
        465,
        12,
    )
    monkeypatch.setenv("AR_SMTP__STARTTLS", "true")
    with pytest.raises(ValidationError, match="exclude each other"):
        SmtpSettings()


async def test_without_a_host_the_message_lands_in_the_mail_drop(tmp_path: Path) -> None:
    smtp = _settings(mail_drop=tmp_path / "drop")
    delivery = await send(_message(smtp), smtp, name="INV-1")
    assert delivery.dropped and delivery.path == tmp_path / "drop" / "INV-1.eml"
    assert str(delivery) == f"written to {delivery.path}"
    assert message_from_bytes(delivery.path.read_bytes())["Subject"] == "Invoice INV-1"
