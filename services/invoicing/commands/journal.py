"""Posting: keep each journal entry invoicing publishes, for `GET /v1/journal`."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from services.invoicing.models.journal import JournalRecord
from shared.events.journal import JournalEntry


def _row(entry: JournalEntry) -> dict[str, Any]:
    return {
        "entry_id": entry.entry_id,
        "posted_on": entry.posted_on,
        "source": entry.source,
        "document_id": entry.document_id,
        "document_number": entry.document_number,
        "currency": entry.currency,
        "entry": entry.model_dump(mode="json"),
    }


def post_entry(session: AsyncSession, entry: JournalEntry) -> None:
    session.add(JournalRecord(**_row(entry)))


async def post_entries(session: AsyncSession, entries: Sequence[JournalEntry]) -> None:
    """A batch's entries in one executemany."""
    if entries:
        await session.exec(insert(JournalRecord), params=[_row(entry) for entry in entries])
