"""Posting: keep each journal entry invoicing publishes, for `GET /v1/journal`."""

from sqlmodel.ext.asyncio.session import AsyncSession

from services.invoicing.journal.models import JournalRecord
from shared.events.journal import JournalEntry


def post_entry(session: AsyncSession, entry: JournalEntry) -> None:
    session.add(
        JournalRecord(
            entry_id=entry.entry_id,
            posted_on=entry.posted_on,
            source=entry.source,
            document_id=entry.document_id,
            document_number=entry.document_number,
            currency=entry.currency,
            entry=entry.model_dump(mode="json"),
        )
    )
