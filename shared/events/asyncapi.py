"""An AsyncAPI 3.0 document of what a service publishes and consumes, generated from the catalog."""

from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from shared.events.catalog import CatalogEntry
from shared.events.envelope import EventEnvelope

REF = "#/components/schemas/{model}"


def _message_name(entry: CatalogEntry) -> str:
    return f"{entry.model.__name__}V{entry.version}"


def _channel_name(topic: str) -> str:
    return topic.replace(".", "_")


def asyncapi_document(
    title: str, version: str, *, published: Iterable[CatalogEntry], consumed: Iterable[CatalogEntry]
) -> dict[str, Any]:
    published, consumed = list(published), list(consumed)
    entries = published + [entry for entry in consumed if entry not in published]
    models: list[tuple[type[BaseModel], Literal["serialization"]]] = [
        (EventEnvelope, "serialization"),
        *((entry.model, "serialization") for entry in entries),
    ]
    _, schemas = models_json_schema(models, ref_template=REF)
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for action, group in (("send", published), ("receive", consumed)):
        for entry in group:
            name, channel = _message_name(entry), _channel_name(entry.topic)
            messages[name] = {
                "name": entry.event_type,
                "title": f"{entry.event_type} v{entry.version}",
                "summary": (entry.model.__doc__ or "").strip() or None,
                "contentType": "application/json",
                "headers": {
                    "type": "object",
                    "properties": {"event_type": {"const": entry.event_type}},
                },
                "payload": {
                    "allOf": [
                        {"$ref": REF.format(model="EventEnvelope")},
                        {
                            "type": "object",
                            "properties": {
                                "type": {"const": entry.event_type},
                                "version": {"const": entry.version},
                                "payload": {"$ref": REF.format(model=entry.model.__name__)},
                            },
                        },
                    ]
                },
                "x-key": "customer_id",
            }
            channels.setdefault(
                channel,
                {
                    "address": entry.topic,
                    "description": f"Events published by {entry.producer}",
                    "messages": {},
                },
            )["messages"][name] = {"$ref": f"#/components/messages/{name}"}
            operations[f"{action}_{name}"] = {
                "action": action,
                "channel": {"$ref": f"#/channels/{channel}"},
                "messages": [{"$ref": f"#/channels/{channel}/messages/{name}"}],
            }
    return {
        "asyncapi": "3.0.0",
        "info": {"title": f"{title} events", "version": version},
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas.get("$defs", {})},
    }
