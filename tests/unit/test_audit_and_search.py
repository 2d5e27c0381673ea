"""The audit trail reads one way, in a stable order, and text search treats what the user typed
as text: both shared by every service."""

from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import select

from shared.audit import history
from shared.db import Database, text_search
from shared.tables import AuditEntry, MechanismTable

AT = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)


async def _database(tmp_path: Path) -> Database:
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/audit.db")
    async with db.engine.begin() as connection:
        await connection.run_sync(MechanismTable.metadata.create_all)
    return db


def _entry(entity_id: str, at: datetime, action: str) -> AuditEntry:
    return AuditEntry(
        at=at,
        actor="dana",
        actor_roles=["ar_coordinator"],
        action=action,
        entity_type="customer",
        entity_id=entity_id,
        changes={},
    )


async def test_history_is_oldest_first_and_ties_read_the_same_every_time(tmp_path: Path) -> None:
    db = await _database(tmp_path)
    later = AT.replace(hour=18)
    async with db.transaction() as session:
        session.add_all(
            [_entry("c1", later, "updated"), _entry("c2", AT, "registered")]
            + [_entry("c1", AT, f"same-instant-{n}") for n in range(5)]
        )
    async with db.transaction() as session:
        first = [e.action for e in await history(session, "customer", "c1")]
        again = [e.action for e in await history(session, "customer", "c1")]
    await db.dispose()
    assert len(first) == 6 and first[-1] == "updated"  # only c1's, oldest first
    assert first == again


async def test_text_search_finds_percent_and_underscore_as_typed(tmp_path: Path) -> None:
    db = await _database(tmp_path)
    async with db.transaction() as session:
        session.add_all(
            [_entry(name, AT, "registered") for name in ("100% Pumps", "1000 Pumps", "A_B", "AxB")]
        )

    async def found(q: str) -> list[str]:
        async with db.transaction() as session:
            rows = await session.exec(
                select(AuditEntry).where(text_search(q, AuditEntry.entity_id, AuditEntry.actor))
            )
            return sorted(row.entity_id for row in rows)

    assert await found("100%") == ["100% Pumps"]
    assert await found("a_b") == ["A_B"]
    assert await found("PUMPS") == ["100% Pumps", "1000 Pumps"]
    await db.dispose()
