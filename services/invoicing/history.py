"""The audit trail of one ticket or invoice: who changed what, when and why."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.tables import AuditEntry


class HistoryEntry(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    actor: str
    actor_roles: list[str]
    action: str
    changes: dict[str, Any]
    reason: str | None


async def history(session: AsyncSession, entity_type: str, entity_id: object) -> list[HistoryEntry]:
    entries = await session.exec(
        select(AuditEntry)
        .where(AuditEntry.entity_type == entity_type, AuditEntry.entity_id == str(entity_id))
        .order_by(col(AuditEntry.at), col(AuditEntry.id))
    )
    return [HistoryEntry.model_validate(entry) for entry in entries]
