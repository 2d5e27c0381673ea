"""Payments on real PostgreSQL and Kafka: customers from the customers service, invoices as
invoicing publishes them on `ar.invoicing.v1`, and every path of the payments issue, with each
event's journal read back from `ar.payments.v1` where collections and credit consume it."""

import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer

from deploy.local_infra import KafkaBroker
from services.collections.service import definition as collections_definition
from services.customers.service import definition as customers_definition
from services.payments.service import definition as payments_definition
from shared.auth import Role
from shared.events.customers import CustomerSnapshot, PaymentTerms
from shared.events.envelope import EventEnvelope
from shared.events.invoicing import InvoiceIssued
from shared.events.journal import JournalEntry
from shared.service import Service
from tests.conftest import AuthHeaders
from tests.integration.conftest import client, read_topic
from tests.services.payments.events import INVOICING_TOPIC, envelope_of, invoice
from tests.support import eventually, new_customer

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]

FILES = Path(__file__).parent.parent / "services" / "payments" / "files"
ADVICES = Path(__file__).parent.parent / "services" / "payments" / "fixtures"


@pytest.fixture
async def services(start_distributed: Any) -> tuple[Service, Service]:
    customers, _ = await start_distributed(customers_definition)
    payments, _ = await start_distributed(payments_definition)
    return customers, payments


async def _customer(
    customers: Service, payments: Service, auth: AuthHeaders, **overrides: Any
) -> CustomerSnapshot:
    """A customer registered in the customers service, once payments has its copy."""
    async with client(customers) as http:
        response = await http.post(
            "/v1/customers", json=new_customer(**overrides), headers=auth(Role.AR_COORDINATOR)
        )
    assert response.status_code == 201, response.text
    created = response.json()

    async def copied() -> Any:
        async with client(payments) as http:
            answer = await http.get(f"/v1/payers/{created['id']}", headers=auth(Role.AUDITOR))
        return answer.status_code == 200

    await eventually(copied)
    return CustomerSnapshot.model_validate(
        {k: created[k] for k in CustomerSnapshot.model_fields if k in created}
        | {"payment_terms": PaymentTerms()}
    )


async def _issue(
    kafka: KafkaBroker, payments: Service, auth: AuthHeaders, *issued: InvoiceIssued
) -> None:
    """Publish as invoicing's relay does, and wait until payments shows each invoice open."""
    producer = AIOKafkaProducer(bootstrap_servers=kafka.bootstrap_servers, acks="all")
    await producer.start()
    try:
        for event in issued:
            envelope = envelope_of(event, event.customer_id)
            await producer.send_and_wait(
                INVOICING_TOPIC, envelope.to_bytes(), key=str(event.customer_id).encode()
            )
    finally:
        await producer.stop()
    for event in issued:

        async def known(event: InvoiceIssued = event) -> Any:
            async with client(payments) as http:
                answer = await http.get(
                    f"/v1/invoice-balances/{event.invoice_id}", headers=auth(Role.AUDITOR)
                )
            return answer.status_code == 200

        await eventually(known)


async def _post(
    payments: Service, auth: AuthHeaders, path: str, role: Role = Role.AR_COORDINATOR, **kw: Any
) -> Any:
    async with client(payments) as http:
        response = await http.post(
            path, headers=auth(role, subject=kw.pop("subject", "tester")), **kw
        )
    assert response.status_code in (200, 201), response.text
    return response.json()


async def _get(payments: Service, auth: AuthHeaders, path: str) -> Any:
    async with client(payments) as http:
        response = await http.get(path, headers=auth(Role.AUDITOR))
    assert response.status_code == 200, response.text
    return response.json()


def _payment(customer_id: Any, amount: str, **changes: Any) -> dict[str, Any]:
    return {
        "customer_id": str(customer_id) if customer_id else None,
        "method": "check",
        "amount": amount,
        "currency": "USD",
        "received_on": "2026-11-05",
    } | changes


def _applied(payment: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (a["invoice_number"], a["amount"])
        for a in payment["applications"]
        if a["status"] == "active"
    }


async def _events(kafka: KafkaBroker, aggregate_ids: set[str]) -> list[EventEnvelope]:
    records = await read_topic(kafka.bootstrap_servers, "ar.payments.v1")
    envelopes = [EventEnvelope.from_bytes(r.value) for r in records]
    return [
        e for e in envelopes if e.aggregate_id in aggregate_ids or e.customer_id in aggregate_ids
    ]


def _assert_balanced(envelopes: list[EventEnvelope]) -> None:
    for envelope in envelopes:
        entry = JournalEntry.model_validate(envelope.payload["journal"])
        debits = sum(p.debit for p in entry.postings)
        assert debits == sum(p.credit for p in entry.postings) and debits > 0, envelope.type


def _number() -> str:
    return f"INV-2026-{uuid.uuid4().int % 10**6:06d}"


async def test_cash_application_by_reference_amount_combination_alias_and_review(
    services: tuple[Service, Service], kafka_broker: KafkaBroker, auth: AuthHeaders
) -> None:
    customers, payments = services
    acme = await _customer(customers, payments, auth, legal_name="Reference Pumps LLC", dba=None)
    by_ref, by_amount, combo_a, combo_b, for_alias, for_review = (
        invoice(acme, n, t)
        for n, t in [
            ("INV-2026-100123", "1250.00"),
            ("INV-2026-100124", "415.37"),
            ("INV-2026-100125", "120.10"),
            ("INV-2026-100126", "330.25"),
            ("INV-2026-100127", "612.34"),
            ("INV-2026-100128", "777.71"),
        ]
    )
    await _issue(
        kafka_broker, payments, auth, by_ref, by_amount, combo_a, combo_b, for_alias, for_review
    )

    manual = await _post(
        payments, auth, "/v1/payments", json=_payment(acme.id, "1250.00", memo="remit inv 100123")
    )
    assert _applied(manual) == {("INV-2026-100123", "1250.00")}
    amount = await _post(payments, auth, "/v1/payments", json=_payment(acme.id, "415.37"))
    assert _applied(amount) == {("INV-2026-100124", "415.37")}
    combination = await _post(payments, auth, "/v1/payments", json=_payment(acme.id, "450.35"))
    assert _applied(combination) == {("INV-2026-100125", "120.10"), ("INV-2026-100126", "330.25")}

    unknown = await _post(
        payments, auth, "/v1/payments", json=_payment(None, "700.00", payer_name="RP Field Ops")
    )
    assert unknown["applications"] == []
    await _post(
        payments,
        auth,
        f"/v1/payments/{unknown['id']}/applications",
        json={"applications": [{"invoice_id": str(for_review.invoice_id), "amount": "700.00"}]},
    )
    learned = await _post(
        payments, auth, "/v1/payments", json=_payment(None, "612.34", payer_name="R.P. FIELD OPS")
    )
    assert _applied(learned) == {("INV-2026-100127", "612.34")}

    stranger = await _post(
        payments, auth, "/v1/payments", json=_payment(None, "77.71", payer_name="Nobody Known")
    )
    queue = await _get(payments, auth, "/v1/applications/suggestions?limit=500")
    assert any(s["payment_id"] == stranger["id"] for s in queue["items"])

    ids = {str(acme.id)} | {
        p["id"] for p in (manual, amount, combination, unknown, learned, stranger)
    }
    events = await eventually(lambda: _enough(kafka_broker, ids, "payment.applied", 6))
    _assert_balanced(events)
    assert {e.type for e in events} >= {"payment.received", "payment.applied"}


async def _enough(
    kafka: KafkaBroker, ids: set[str], event_type: str, count: int
) -> list[EventEnvelope]:
    events = await _events(kafka, ids)
    return events if sum(e.type == event_type for e in events) >= count else []


async def test_each_bank_file_format_is_applied_and_the_same_file_is_refused_twice(
    services: tuple[Service, Service], kafka_broker: KafkaBroker, auth: AuthHeaders
) -> None:
    customers, payments = services
    acme = await _customer(
        customers, payments, auth, legal_name="Permian Basin Services LLC", dba="PBS"
    )
    other = await _customer(
        customers, payments, auth, legal_name="Eagle Ford Hauling Inc", dba=None
    )
    await _issue(
        kafka_broker,
        payments,
        auth,
        *(
            invoice(owner, number, total)
            for owner, number, total in [
                (acme, "INV-2026-000123", "1250.00"),
                (other, "INV-2026-000124", "640.00"),
                (acme, "INV-2026-000125", "600.00"),
                (other, "INV-2026-000126", "300.00"),
            ]
        ),
    )
    for name in (
        "statement.bai2",
        "statement.camt053.xml",
        "notification.camt054.xml",
        "ach.nacha",
        "lockbox.csv",
    ):
        content = (FILES / name).read_bytes()

        imported = await _post(
            payments, auth, "/v1/bank-files", Role.INTEGRATION, files={"file": (name, content)}
        )
        async with client(payments) as http:
            again = await http.post(
                "/v1/bank-files", files={"file": (name, content)}, headers=auth(Role.INTEGRATION)
            )

        assert imported["errors"] == [] and imported["payments"], name
        assert again.status_code == 409 and again.json()["earlier_import"] == imported["id"], name
        for payment_id in imported["payments"]:
            assert (await _get(payments, auth, f"/v1/payments/{payment_id}"))["applications"], name
            # Returned by the bank: the invoices reopen for the next file to pay them again.
            await _post(
                payments, auth, f"/v1/payments/{payment_id}/reverse", json={"reason": "returned"}
            )


async def test_refund_write_off_deposit_and_nsf_reversal_post_balanced_entries(
    services: tuple[Service, Service], kafka_broker: KafkaBroker, auth: AuthHeaders
) -> None:
    customers, payments = services
    acme = await _customer(customers, payments, auth, legal_name="Settlement Testers LLC", dba=None)
    over, short, deposited, bounced = (
        invoice(acme, "INV-2026-200001", "400.00"),
        invoice(acme, "INV-2026-200002", "1000.00"),
        invoice(acme, "INV-2026-200003", "1200.00", ticket_number="T-9001"),
        invoice(acme, "INV-2026-200004", "250.00"),
    )
    deposit = await _post(
        payments,
        auth,
        "/v1/deposits",
        json={
            "customer_id": str(acme.id),
            "method": "wire",
            "amount": "500.00",
            "currency": "USD",
            "received_on": "2026-10-20",
            "ticket_number": "T-9001",
        },
    )
    await _issue(kafka_broker, payments, auth, over, short, deposited, bounced)

    overpaid = await _post(
        payments,
        auth,
        "/v1/payments",
        json=_payment(
            acme.id,
            "460.00",
            remittance=[{"invoice_number": "INV-2026-200001", "amount_paid": "460.00"}],
        ),
    )
    assert overpaid["unapplied"] == "60.00"
    refund = await _post(
        payments,
        auth,
        "/v1/refunds",
        json={"payment_id": overpaid["id"], "amount": "60.00", "reason": "over-payment"},
        subject="cora",
    )
    issued = await _post(
        payments, auth, f"/v1/refunds/{refund['id']}/approve", Role.AR_SUPERVISOR, subject="sam"
    )
    assert issued["status"] == "issued"

    shorted = await _post(
        payments,
        auth,
        "/v1/payments",
        json=_payment(
            acme.id,
            "990.00",
            remittance=[
                {
                    "invoice_number": "INV-2026-200002",
                    "amount_paid": "990.00",
                    "reason_code": "pricing",
                }
            ],
        ),
    )
    kept_open = await _get(payments, auth, f"/v1/invoice-balances/{short.invoice_id}")
    assert (kept_open["balance"], kept_open["short_pay_reason"]) == ("10.00", "pricing")
    await _post(
        payments,
        auth,
        "/v1/write-offs",
        json={"invoice_id": str(short.invoice_id), "reason": "small balance"},
    )

    assert (await _get(payments, auth, f"/v1/invoice-balances/{deposited.invoice_id}"))[
        "balance"
    ] == "700.00"
    assert (await _get(payments, auth, f"/v1/deposits/{deposit['id']}"))["remaining"] == "0.00"

    nsf = await _post(payments, auth, "/v1/payments", json=_payment(acme.id, "250.00"))
    assert _applied(nsf) == {("INV-2026-200004", "250.00")}
    await _post(payments, auth, f"/v1/payments/{nsf['id']}/reverse", json={"reason": "NSF"})
    reopened = await _get(payments, auth, f"/v1/invoice-balances/{bounced.invoice_id}")
    assert (reopened["balance"], reopened["status"]) == ("250.00", "open")

    expected = {
        "payment.received",
        "payment.applied",
        "refund.issued",
        "write_off.posted",
        "deposit.received",
        "payment.unapplied",
        "payment.reversed",
    }

    async def all_published() -> list[EventEnvelope]:
        events = await _events(kafka_broker, {str(acme.id), shorted["id"], nsf["id"]})
        return events if {e.type for e in events} >= expected else []

    events = await eventually(all_published)
    _assert_balanced(events)
    applied = [e for e in events if e.type == "payment.applied"]
    assert sum(Decimal(e.payload["amount"]) for e in applied) == Decimal("400.00") + Decimal(
        "990.00"
    ) + Decimal("500.00") + Decimal("250.00")


async def test_applications_reach_collections_ledger_as_events(
    start_distributed: Any, kafka_broker: KafkaBroker, auth: AuthHeaders
) -> None:
    customers, _ = await start_distributed(customers_definition)
    payments, _ = await start_distributed(payments_definition)
    collections, _ = await start_distributed(collections_definition)
    acme = await _customer(customers, payments, auth, legal_name="Ledger Watchers LLC", dba=None)
    issued = invoice(acme, "INV-2026-300001", "845.20")
    await _issue(kafka_broker, payments, auth, issued)

    payment = await _post(payments, auth, "/v1/payments", json=_payment(acme.id, "845.20"))
    assert _applied(payment) == {("INV-2026-300001", "845.20")}

    async def settled_in_ledger() -> Any:
        async with client(collections) as http:
            answer = await http.get(
                f"/v1/ledger/items/{issued.invoice_id}", headers=auth(Role.AUDITOR)
            )
        item = answer.json() if answer.status_code == 200 else None
        return item if item and Decimal(item["balance"]) == 0 else None

    item = await eventually(settled_in_ledger, timeout=30)
    assert [e["kind"] for e in item["history"]][-1] == "paid"


async def test_remittance_advices_meet_their_payments_on_postgresql(
    services: tuple[Service, Service], kafka_broker: KafkaBroker, auth: AuthHeaders
) -> None:
    """An 820 and an emailed advice, each before or after its payment, applied on PostgreSQL."""
    customers, payments = services
    acme = await _customer(
        customers, payments, auth, legal_name="Permian Basin Services LLC", dba="PBS"
    )
    await _issue(
        kafka_broker,
        payments,
        auth,
        *(
            invoice(acme, number, total)
            for number, total in [
                ("INV-2026-000123", "1250.00"),
                ("INV-2026-000124", "612.00"),
                ("INV-2026-000126", "300.00"),
                ("INV-2026-000223", "1250.00"),
            ]
        ),
    )
    paid_first = await _post(
        payments,
        auth,
        "/v1/payments",
        json=_payment(None, "2150.00", method="ach", reference="PBS-EFT-0042"),
    )
    eight_twenty = (ADVICES / "remittance.820").read_bytes()

    document = await _post(
        payments,
        auth,
        "/v1/remittance-advices",
        files={"file": ("remittance.820", eight_twenty)},
    )

    first, second = document["advices"]
    assert (first["status"], first["payment_id"]) == ("used", paid_first["id"])
    assert second["status"] == "waiting"  # for a payment its TRN reference names
    applied = await _get(payments, auth, f"/v1/payments/{paid_first['id']}")
    assert sorted((a["invoice_number"], a["amount"]) for a in applied["applications"]) == [
        ("INV-2026-000123", "1250.00"),
        ("INV-2026-000124", "600.00"),
        ("INV-2026-000126", "300.00"),
    ]
    evidence = await _get(payments, auth, f"/v1/remittance-advices/documents/{document['id']}")
    assert [a["id"] for a in evidence["advices"]] == [first["id"], second["id"]]
    async with client(payments) as http:
        kept = await http.get(
            f"/v1/remittance-advices/documents/{document['id']}/content",
            headers=auth(Role.AUDITOR),
        )
    assert kept.content == eight_twenty
