"""The catalog: every event payload any service publishes, by type and version.

A payload is registered with `@event(type, version, producer)`. A change that would break a
consumer is a new version of the type, registered beside the old one.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict


class EventPayload(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    event_type: ClassVar[str]
    event_version: ClassVar[int]
    producer: ClassVar[str]


@dataclass(frozen=True)
class CatalogEntry:
    event_type: str
    version: int
    producer: str
    model: type[EventPayload]

    @property
    def topic(self) -> str:
        return topic_for(self.producer)


CATALOG: dict[tuple[str, int], CatalogEntry] = {}

P = TypeVar("P", bound=type[EventPayload])


def event(event_type: str, *, version: int, producer: str) -> Callable[[P], P]:
    """Register a payload model under its type and version."""

    def register(model: P) -> P:
        key = (event_type, version)
        if key in CATALOG:
            raise ValueError(f"{event_type} v{version} is registered twice")
        model.event_type, model.event_version, model.producer = event_type, version, producer
        CATALOG[key] = CatalogEntry(event_type, version, producer, model)
        return model

    return register


def topic_for(producer: str) -> str:
    """One topic per producing service; the suffix is the topic layout's version."""
    return f"ar.{producer}.v1"


def dead_letter_topic(topic: str) -> str:
    return f"{topic}.dlq"


def event_type_of(model: type[EventPayload]) -> tuple[str, int]:
    return model.event_type, model.event_version


def entry_for(event_type: str, version: int) -> CatalogEntry | None:
    return CATALOG.get((event_type, version))


# Importing the payload modules fills the catalog.
from shared.events import collections, credit, customers, invoicing, payments, sales  # noqa: E402,F401
