"""Events between services: the envelope and the catalog of versioned payloads."""

from shared.events.catalog import CATALOG, EventPayload, event_type_of, topic_for
from shared.events.envelope import EventEnvelope

__all__ = ["CATALOG", "EventEnvelope", "EventPayload", "event_type_of", "topic_for"]
