"""Rebuild the ledger by replaying the event log into a fresh database, and prove it identical.

    python -m services.collections.jobs.rebuild --into postgresql+asyncpg://.../collections_rebuilt

reads the log from the live database (AR_COLLECTIONS_DATABASE_URL, or --from), migrates the
fresh one, replays every logged event through the same `project` the live consumer runs, then
compares every projected table row by row. It prints the differences and exits 1 if there are
any; the fresh database can then replace the live one.
"""

import argparse
import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from sqlalchemy import Table
from sqlmodel import col, select

from services.collections.handlers.projection import prepare_projection, project
from services.collections.models import CollectionsTable, LoggedEvent
from shared import migrations
from shared.clock import Clock
from shared.db import Database
from shared.events.catalog import EventPayload, entry_for
from shared.events.envelope import EventEnvelope
from shared.inbox import HandlerContext

MIGRATIONS = Path(__file__).parents[1] / "migrations"
VERSION_TABLE = "alembic_version_collections"
BATCH = 1000

# Everything the events alone decide; `synced_at` is when, not what, so it is not compared.
PROJECTED: list[tuple[Table, set[str]]] = [
    (CollectionsTable.metadata.tables[name], ignored)
    for name, ignored in [
        ("collection_accounts", {"synced_at"}),
        ("ledger_items", set()),
        ("ledger_entries", set()),
        ("aging_positions", set()),
        ("journal_lines", set()),
        ("ledger_parked_entries", set()),
        ("unbilled_tickets", set()),
        ("unbilled_rentals", set()),
        ("monthly_credit_sales", set()),
    ]
]


async def _logged(source: Database) -> AsyncIterator[list[LoggedEvent]]:
    after = 0
    while True:
        async with source.transaction() as session:
            rows = list(
                (
                    await session.exec(
                        select(LoggedEvent)
                        .where(col(LoggedEvent.seq) > after)
                        .order_by(col(LoggedEvent.seq))
                        .limit(BATCH)
                    )
                ).all()
            )
        if not rows:
            return
        yield rows
        after = rows[-1].seq or after


async def replay(source: Database, target: Database, clock: Clock) -> int:
    """Replay the source's event log into the (fresh) target; return how many events."""
    await migrations.upgrade(target, MIGRATIONS, VERSION_TABLE)
    count = 0
    async for rows in _logged(source):
        envelopes = [EventEnvelope.model_validate_json(row.envelope) for row in rows]
        decoded = [(envelope, _payload(envelope)) for envelope in envelopes]
        async with target.transaction() as session:
            session.add_all(LoggedEvent(**row.model_dump(exclude={"seq"})) for row in rows)
            context = HandlerContext(session=session, settings=None, clock=clock)
            await prepare_projection(context, decoded)
            for envelope, payload in decoded:
                await project(context, envelope, payload)
        count += len(rows)
    return count


def _payload(envelope: EventEnvelope) -> EventPayload:
    entry = entry_for(envelope.type, envelope.version)
    assert entry is not None, f"{envelope.type} v{envelope.version} left the catalog"
    return entry.model.model_validate(envelope.payload)


async def differences(live: Database, rebuilt: Database, *, limit: int = 20) -> list[str]:
    """Rows that differ between the two databases' projected tables (empty when identical)."""
    found: list[str] = []
    for table, ignored in PROJECTED:
        columns = [c for c in table.columns if c.name not in ignored]
        statement = select(*columns).order_by(*table.primary_key.columns)
        async with live.transaction() as a, rebuilt.transaction() as b:
            left = (await a.exec(statement)).all()
            right = (await b.exec(statement)).all()
        if len(left) != len(right):
            found.append(f"{table.name}: {len(left)} live rows, {len(right)} rebuilt")
        found += [
            f"{table.name}: live {tuple(x)} != rebuilt {tuple(y)}"
            for x, y in zip(left, right, strict=False)
            if tuple(x) != tuple(y)
        ][:limit]
    return found


async def rebuild(source_url: str, target_url: str, clock: Clock) -> list[str]:
    source, target = Database(source_url), Database(target_url)
    try:
        count = await replay(source, target, clock)
        print(f"replayed {count} events into {target_url}")
        return await differences(source, target)
    finally:
        await source.dispose()
        await target.dispose()


def main() -> None:
    from services.collections.settings import CollectionsSettings
    from shared.settings import PlatformSettings

    parser = argparse.ArgumentParser(
        prog="python -m services.collections.jobs.rebuild", description=__doc__
    )
    parser.add_argument("--into", required=True, help="URL of a fresh, empty database")
    parser.add_argument("--from", dest="source", help="the live database (default: settings)")
    args = parser.parse_args()
    source = args.source or CollectionsSettings().database_url
    diffs = asyncio.run(rebuild(source, args.into, Clock(PlatformSettings().time_zone)))
    for line in diffs:
        print(line)
    print("identical" if not diffs else f"{len(diffs)} difference(s)")
    sys.exit(1 if diffs else 0)


if __name__ == "__main__":
    main()
