"""The audit trail: who changed money or master data, when, what changed and why."""

from typing import Any

from pydantic import BaseModel
from sqlmodel.ext.asyncio.session import AsyncSession

from shared import context
from shared.auth import Principal
from shared.tables import AuditEntry

SYSTEM_ACTOR = "system"


def record_change(
    session: AsyncSession,
    *,
    actor: Principal | None,
    action: str,
    entity_type: str,
    entity_id: str,
    changes: dict[str, Any],
    reason: str | None = None,
) -> AuditEntry:
    """Add an audit entry to the caller's transaction; `actor=None` means an event did it."""
    entry = AuditEntry(
        actor=actor.subject if actor else SYSTEM_ACTOR,
        actor_roles=sorted(actor.roles) if actor else [],
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        changes=changes,
        reason=reason,
        request_id=context.request_id.get() or context.causation_id.get(),
    )
    session.add(entry)
    return entry


def diff(before: BaseModel | None, after: BaseModel) -> dict[str, Any]:
    """Fields that differ, as {field: {"from": old, "to": new}} in JSON form."""
    new = after.model_dump(mode="json")
    if before is None:
        return {field: {"from": None, "to": value} for field, value in new.items()}
    old = before.model_dump(mode="json")
    return {
        field: {"from": old.get(field), "to": value}
        for field, value in new.items()
        if old.get(field) != value
    }
