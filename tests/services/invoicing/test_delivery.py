"""Delivery of a billing run's invoices by email over SMTP, the outcome recorded per invoice."""

import email
import email.policy
import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller

from shared.auth import Role
from shared.events.customers import CustomerSnapshot
from shared.service import Service
from tests.conftest import AuthHeaders
from tests.services.invoicing.conftest import (
    invoices_of_run,
    issue_run,
    ready_ticket,
    run_billing,
    ticket_body,
)

pytestmark = pytest.mark.usefixtures("taxed")


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)  # type: ignore[arg-type]
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box, port = Mailbox(), _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


async def test_run_invoices_are_emailed_with_their_pdf_and_a_failure_is_recorded_and_retried(
    api: httpx.AsyncClient,
    auth: AuthHeaders,
    acme: CustomerSnapshot,
    invoicing_service: Service,
    mailbox: tuple[Mailbox, int],
) -> None:
    box, port = mailbox
    smtp = invoicing_service.settings.smtp  # type: ignore[attr-defined]
    smtp.host, smtp.port, smtp.starttls = "127.0.0.1", _free_port(), False  # nobody listens
    await ready_ticket(api, auth, ticket_body(acme.id))
    run = await run_billing(api, auth)
    await issue_run(api, auth, run["id"])
    path = f"/v1/billing-runs/{run['id']}/deliver"

    assert (await api.post(path, headers=auth(Role.AR_COORDINATOR))).status_code == 200
    [failed] = await invoices_of_run(api, auth, run["id"])
    assert failed["delivery_status"] == "failed" and failed["delivery_detail"].startswith("SMTP")

    smtp.port = port
    assert (await api.post(path, headers=auth(Role.AR_COORDINATOR))).status_code == 200
    [sent] = await invoices_of_run(api, auth, run["id"])
    assert sent["delivery_status"] == "sent" and sent["delivered_at"]
    [message] = box.messages
    assert message["To"] == "ap@pbs.example"
    assert message["Subject"].startswith(f"Invoice {sent['number']}")
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == f"{sent['number']}.pdf"
    assert attachment.get_content()[:5] == b"%PDF-"

    assert (await api.post(path, headers=auth(Role.AR_COORDINATOR))).status_code == 200
    assert len(box.messages) == 1  # delivered once
