"""The audit trail: who changed money or master data, when, what changed and why."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared import context
from shared.auth import Principal
from shared.clock import utc_now
from shared.db import RowBatch
from shared.tables import AuditEntry

SYSTEM_ACTOR = "system"


class HistoryEntry(BaseModel):
    """One entry of an audit trail as every service's `/history` route answers it."""

    model_config = ConfigDict(from_attributes=True)

    at: datetime
    actor: str
    actor_roles: list[str]
    action: str
    changes: dict[str, Any]
    reason: str | None


def record_change(
    session: AsyncSession,
    *,
    actor: Principal | None,
    action: str,
    entity_type: str,
    entity_id: str,
    changes: dict[str, Any],
    reason: str | None = None,
    batch: RowBatch | None = None,
) -> None:
    """Add an audit entry to the caller's transaction (or to the `batch` it writes at once);
    `actor=None` means an event did it."""
    who = _who_and_why(actor, action=action, entity_type=entity_type, reason=reason)
    if batch is None:
        session.add(AuditEntry(entity_id=entity_id, changes=changes, **who))
    else:
        batch.add(AuditEntry, entity_id=entity_id, changes=changes, **who)


def _who_and_why(
    actor: Principal | None, *, action: str, entity_type: str, reason: str | None
) -> dict[str, Any]:
    """What an audit entry takes from its actor and its request, however it is written."""
    return {
        "actor": actor.subject if actor else SYSTEM_ACTOR,
        "actor_roles": sorted(actor.roles) if actor else [],
        "action": action,
        "entity_type": entity_type,
        "reason": reason,
        "request_id": context.request_id.get() or context.causation_id.get(),
    }


async def record_changes(
    session: AsyncSession,
    *,
    actor: Principal | None,
    action: str,
    entity_type: str,
    changes: dict[str, dict[str, Any]],
    reason: str | None = None,
) -> None:
    """One audit entry per entity (`changes` by entity id), written at once as plain rows: an
    import of thousands of documents builds no entity per entry."""
    at = utc_now()
    common = _who_and_why(actor, action=action, entity_type=entity_type, reason=reason)
    batch = RowBatch()
    for entity_id, change in changes.items():
        batch.add(AuditEntry, at=at, entity_id=entity_id, changes=change, **common)
    await batch.write(session)


async def history(session: AsyncSession, entity_type: str, entity_id: str) -> list[HistoryEntry]:
    """One entity's audit trail, oldest first; entries of the same instant are ordered by id, so
    the history reads the same every time (the time alone leaves ties in any order)."""
    statement = (
        select(AuditEntry)
        .where(AuditEntry.entity_type == entity_type, AuditEntry.entity_id == entity_id)
        .order_by(col(AuditEntry.at), col(AuditEntry.id))
    )
    return [HistoryEntry.model_validate(entry) for entry in await session.exec(statement)]
