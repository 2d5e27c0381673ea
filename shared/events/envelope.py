"""The envelope every event travels in (architecture.md): ids, type, version, key, payload."""

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from shared.db import utcnow


class EventEnvelope(BaseModel):
    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    type: str = Field(examples=["customer.registered"])
    version: int = Field(ge=1)
    occurred_at: datetime = Field(default_factory=utcnow)
    producer: str
    customer_id: str = Field(description="The message key: one customer's events stay in order")
    aggregate_id: str
    correlation_id: str | None = None
    causation_id: str | None = None
    payload: dict[str, Any]

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> "EventEnvelope":
        return cls.model_validate_json(raw)
