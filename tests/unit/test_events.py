import uuid

import pytest

from shared.events.asyncapi import asyncapi_document
from shared.events.catalog import CATALOG, entry_for, event, topic_for
from shared.events.customers import CustomerRegistered, CustomerSnapshot
from shared.events.envelope import EventEnvelope
from shared.outbox import Outbox
from shared.events.credit import CreditHoldPlaced


def _snapshot() -> CustomerSnapshot:
    return CustomerSnapshot.model_validate(
        {
            "id": str(uuid.uuid4()), "account_number": "C000001", "revision": 1,
            "legal_name": "Acme", "status": "active", "currency": "USD",
            "business_district": "permian", "payment_terms": {"kind": "net", "days": 30},
            "billing_profile": {},
        }
    )


def test_every_catalog_entry_round_trips_through_its_envelope() -> None:
    payload = CustomerRegistered(customer=_snapshot())
    envelope = EventEnvelope(
        type=payload.event_type, version=payload.event_version, producer="customers",
        customer_id=str(payload.customer.id), aggregate_id=str(payload.customer.id),
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
            customer_id="c", aggregate_id="a",
        )


def test_asyncapi_document_lists_published_and_consumed_messages() -> None:
    consumed = [entry_for("credit.hold_placed", 1)]
    document = asyncapi_document("customers", "Customers", "1.0.0", consumed)  # type: ignore[list-item]
    assert document["asyncapi"] == "3.0.0"
    assert document["channels"]["ar_customers_v1"]["address"] == "ar.customers.v1"
    actions = {op["action"] for op in document["operations"].values()}
    assert actions == {"send", "receive"}
    assert "CustomerSnapshot" in document["components"]["schemas"]
