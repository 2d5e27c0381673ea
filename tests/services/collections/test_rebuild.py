"""Rebuilding the ledger from its event log gives the very same ledger."""

from pathlib import Path

from sqlalchemy import update
from sqlmodel import col

from services.collections.jobs.rebuild import rebuild
from services.collections.models import LedgerEntry
from shared.bus import InProcessBus
from shared.service import Service
from tests.services.collections.books import publish
from tests.services.collections.scenario import Scenario
from tests.support import sqlite_url


async def test_rebuild_from_the_event_log_matches_the_live_ledger(
    collections: Service, ledger_bus: InProcessBus, tmp_path: Path
) -> None:
    scenario = Scenario()
    await publish(ledger_bus, *scenario.events())

    differences = await rebuild(
        collections.settings.database_url, sqlite_url(tmp_path, "rebuilt"), collections.clock
    )
    assert differences == []


async def test_rebuild_reports_a_ledger_that_drifted_from_its_events(
    collections: Service, ledger_bus: InProcessBus, tmp_path: Path
) -> None:
    await publish(ledger_bus, *Scenario().events())
    async with collections.db.transaction() as session:
        await session.exec(
            update(LedgerEntry).where(col(LedgerEntry.kind) == "written_off").values(amount=-99)
        )

    differences = await rebuild(
        collections.settings.database_url, sqlite_url(tmp_path, "rebuilt"), collections.clock
    )
    assert len(differences) == 1 and differences[0].startswith("ledger_entries:")
