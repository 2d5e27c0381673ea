"""The journal API: what invoicing posted to the general ledger, by date."""

from datetime import date
from typing import Annotated

from fastapi import Query
from sqlmodel import col

from services.invoicing.models.journal import JournalRecord
from services.invoicing.queries.journal import journal_records
from shared.api.access import AnyRole
from shared.api.pagination import Page, PageQuery, page_of
from shared.api.routing import service_router
from shared.api.transaction import SessionDep
from shared.events.journal import JournalEntry

router = service_router("/v1/journal", "journal")


@router.get("", summary="List journal entries")
async def list_journal(
    session: SessionDep,
    _: AnyRole,
    page: PageQuery,
    from_: Annotated[date | None, Query(alias="from", description="Posted on or after")] = None,
    to: Annotated[date | None, Query(description="Posted on or before")] = None,
) -> Page[JournalEntry]:
    """Every balanced entry invoicing posted (invoices, credit memos, voids) in date order:
    AR control, revenue by service line and sales tax payable by jurisdiction, with the
    business district on each posting."""
    return await page_of(
        session,
        journal_records(from_=from_, to=to),
        order_by=[
            col(JournalRecord.posted_on),
            col(JournalRecord.created_at),
            col(JournalRecord.entry_id),
        ],
        params=page,
        item=lambda record: JournalEntry.model_validate(record.entry),
    )
