import uuid

import pytest

from shared.events.asyncapi import asyncapi_document
from shared.events.catalog import CATALOG, entry_for, event, topic_for
from shared.events.credit import CreditHoldPlaced
from shared.events.customers import CustomerRegistered, CustomerSnapshot
from shared.events.envelope import EventEnvelope
from shared.outbox import Outbox


def _snapshot() -> CustomerSnapshot:
    return CustomerSnapshot.model_validate(
        {
            "id": str(uuid.uuid4()),
            "account_number": "C000001",
            "revision": 1,
            "legal_name": "Acme",
            "status": "active",
            "currency": "USD",
            "business_district": "permian",
            "payment_terms": {"kind": "net", "days": 30},
            "billing_profile": {},
        }
    )


def test_every_catalog_entry_round_trips_through_its_envelope() -> None:
    payload = CustomerRegistered(customer=_snapshot())
    envelope = EventEnvelope(
        type=payload.event_type,
        version=payload.event_version,
        producer="customers",
        customer_id=str(payload.customer.id),
        aggregate_id=str(payload.customer.id),
        payload=payload.model_dump(mode="json"),
    )
    decoded = EventEnvelope.from_bytes(envelope.to_bytes())
    assert decoded == envelope
    entry = entry_for(decoded.type, decoded.version)
    assert entry is not None and entry.model.model_validate(decoded.payload) == payload


def test_catalog_names_one_topic_per_producing_service() -> None:
    assert {entry.topic for entry in CATALOG.values()} >= {"ar.customers.v1", "ar.credit.v1"}
    assert topic_for("customers") == "ar.customers.v1"


def test_a_type_and_version_cannot_be_registered_twice() -> None:
    with pytest.raises(ValueError):
        event("customer.registered", version=1, producer="customers")(CustomerRegistered)


def test_a_service_may_publish_only_its_own_events() -> None:
    with pytest.raises(ValueError):
        Outbox("customers").add(
            None,  # type: ignore[arg-type]
            CreditHoldPlaced(customer_id=uuid.uuid4(), reasons=["over limit"], automatic=True),
            customer_id="c",
            aggregate_id="a",
        )


def test_asyncapi_document_lists_published_and_consumed_messages() -> None:
    published = [entry_for("customer.registered", 1), entry_for("customer.updated", 1)]
    consumed = [entry_for("credit.hold_placed", 1)]
    document = asyncapi_document("Customers", "1.0.0", published=published, consumed=consumed)  # type: ignore[arg-type]
    assert document["asyncapi"] == "3.0.0"
    assert document["channels"]["ar_customers_v1"]["address"] == "ar.customers.v1"
    actions = {op["action"] for op in document["operations"].values()}
    assert actions == {"send", "receive"}
    assert "CustomerSnapshot" in document["components"]["schemas"]


from datetime import date  # noqa: E402
from decimal import Decimal  # noqa: E402

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from pydantic import ValidationError  # noqa: E402

from shared.events.journal import JournalEntry, Posting  # noqa: E402


def _entry(postings: list[Posting]) -> JournalEntry:
    return JournalEntry(
        entry_id=uuid.uuid4(),
        posted_on=date(2026, 11, 1),
        currency="USD",
        source="invoice",
        document_id=uuid.uuid4(),
        postings=postings,
    )


@given(
    st.lists(st.decimals(min_value="0.01", max_value="100000", places=2), min_size=1, max_size=8)
)
def test_an_entry_whose_credits_sum_to_its_debit_is_accepted(credits: list[Decimal]) -> None:
    debit = Posting(account="1200", debit=sum(credits, Decimal(0)))
    entry = _entry([debit] + [Posting(account="4000", credit=c) for c in credits])
    assert sum(p.debit for p in entry.postings) == sum(p.credit for p in entry.postings)


def test_an_unbalanced_entry_or_a_two_sided_posting_is_refused() -> None:
    with pytest.raises(ValidationError, match="unbalanced"):
        _entry(
            [
                Posting(account="1200", debit=Decimal("100.00")),
                Posting(account="4000", credit=Decimal("99.99")),
            ]
        )
    with pytest.raises(ValidationError):
        Posting(account="1200", debit=Decimal(1), credit=Decimal(1))
