"""The envelope every event travels in: ids, type, version, key, payload
(docs/events.md#rules-every-event-follows)."""

import uuid
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field, PrivateAttr, create_model

from shared.clock import utc_now

if TYPE_CHECKING:
    from shared.events.catalog import EventPayload


class EventEnvelope(BaseModel):
    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    type: str = Field(examples=["customer.registered"])
    version: int = Field(ge=1)
    occurred_at: datetime = Field(default_factory=utc_now)
    producer: str
    customer_id: str = Field(description="The message key: one customer's events stay in order")
    aggregate_id: str
    correlation_id: str | None = None
    causation_id: str | None = None
    payload: dict[str, Any]

    @classmethod
    def wrap(
        cls,
        payload: "EventPayload",
        *,
        customer_id: str,
        aggregate_id: str,
        correlation_id: str | None = None,
        causation_id: str | None = None,
    ) -> "EventEnvelope":
        """`payload` in its envelope, keyed by `customer_id`."""
        return cls(
            type=payload.event_type,
            version=payload.event_version,
            producer=payload.producer,
            customer_id=customer_id,
            aggregate_id=aggregate_id,
            correlation_id=correlation_id,
            causation_id=causation_id,
            payload=payload.model_dump(mode="json"),
        )

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> "EventEnvelope":
        return cls.model_validate_json(raw)

    def as_received(self) -> str:
        """The envelope's JSON (as it arrived, for one a consumer received)."""
        return self.model_dump_json()


class ReceivedEnvelope(EventEnvelope):
    """An envelope a consumer read, keeping the bytes it came in: a consumer storing the event
    stores exactly those, without serialising it again."""

    _raw: bytes = PrivateAttr(default=b"")

    @classmethod
    def from_bytes(cls, raw: bytes) -> "EventEnvelope":
        envelope = cls.model_validate_json(raw)
        envelope._raw = raw
        return envelope

    def as_received(self) -> str:
        return self._raw.decode() if self._raw else self.model_dump_json()


@cache
def typed_envelope(payload: type[BaseModel]) -> type[EventEnvelope]:
    """An envelope whose payload is read straight into `payload`'s model: one pass over the
    JSON instead of a dict validated twice, which is most of what a busy consumer spends per
    event. Its `payload` is then that model, not a dict; it serialises the same."""
    return create_model(  # type: ignore[call-overload, no-any-return]
        f"{payload.__name__}Envelope", __base__=ReceivedEnvelope, payload=(payload, ...)
    )
