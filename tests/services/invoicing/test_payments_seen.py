"""What payments report about an invoice limits what invoicing may still do to it."""

import uuid
from datetime import date
from decimal import Decimal

import httpx
import pytest

from shared.auth import Role
from shared.bus import BusMessage, InProcessBus
from shared.events.catalog import dead_letter_topic, topic_for
from shared.events.customers import CustomerSnapshot
from shared.events.envelope import EventEnvelope
from shared.events.journal import JournalEntry, Posting
from shared.events.payments import PaymentApplied, PaymentUnapplied
from tests.conftest import AuthHeaders
from tests.services.invoicing.conftest import (
    invoices_of_run,
    issue_run,
    ready_ticket,
    run_billing,
    ticket_body,
)

pytestmark = pytest.mark.usefixtures("taxed")
PAYMENTS_TOPIC = topic_for("payments")


def _journal(amount: Decimal) -> JournalEntry:
    return JournalEntry(
        entry_id=uuid.uuid4(),
        posted_on=date(2026, 12, 1),
        currency="USD",
        source="payment",
        document_id=uuid.uuid4(),
        postings=[Posting(account="2100", debit=amount), Posting(account="1200", credit=amount)],
    )


async def _publish(bus: InProcessBus, event: PaymentApplied | PaymentUnapplied) -> None:
    key = str(event.customer_id)
    envelope = EventEnvelope(
        type=event.event_type,
        version=event.event_version,
        producer=event.producer,
        customer_id=key,
        aggregate_id=str(event.application_id),
        payload=event.model_dump(mode="json"),
    )
    await bus.publish([BusMessage(topic=PAYMENTS_TOPIC, key=key, value=envelope.to_bytes())])
    assert not bus.retained[dead_letter_topic(PAYMENTS_TOPIC)]


async def test_a_paid_invoice_cannot_be_voided_and_credits_stop_at_what_is_open(
    api: httpx.AsyncClient, auth: AuthHeaders, acme: CustomerSnapshot, bus: InProcessBus
) -> None:
    await ready_ticket(api, auth, ticket_body(acme.id))
    run = await run_billing(api, auth)
    await issue_run(api, auth, run["id"])
    [invoice] = await invoices_of_run(api, auth, run["id"])
    facts = {
        "customer_id": acme.id,
        "invoice_id": invoice["id"],
        "invoice_number": invoice["number"],
        "currency": "USD",
        "amount": Decimal("300.00"),
    }
    application = uuid.uuid4()
    await _publish(
        bus,
        PaymentApplied(
            application_id=application,
            applied_on=date(2026, 12, 1),
            journal=_journal(Decimal(300)),
            **facts,
        ),
    )

    paid = (await api.get(f"/v1/invoices/{invoice['id']}", headers=auth(Role.AUDITOR))).json()
    assert (paid["paid"], paid["open_amount"]) == ("300.00", "45.70")
    void = await api.post(
        f"/v1/invoices/{invoice['id']}/void",
        json={"reason": "oops"},
        headers=auth(Role.AR_SUPERVISOR),
    )
    whole = await api.post(
        "/v1/credit-memos",
        json={"invoice_id": invoice["id"], "reason_code": "x"},
        headers=auth(Role.AR_SUPERVISOR),
    )
    assert void.status_code == 422 and "payments" in void.json()["detail"]
    assert whole.status_code == 422 and "45.70 open" in whole.json()["detail"]

    await _publish(
        bus,
        PaymentUnapplied(
            application_id=application,
            unapplied_on=date(2026, 12, 2),
            reason="misapplied",
            journal=_journal(Decimal(300)),
            **facts,
        ),
    )
    unpaid = (await api.get(f"/v1/invoices/{invoice['id']}", headers=auth(Role.AUDITOR))).json()
    assert unpaid["open_amount"] == invoice["total"]
