"""The journal API: what invoicing posted to the general ledger, by date."""

from datetime import date
from typing import Annotated

from fastapi import Query
from sqlmodel import col, select

from services.invoicing.api_kit import Reader, invoicing_router
from services.invoicing.journal.models import JournalRecord
from shared.api.pagination import Page, PageQuery, page_of
from shared.api.transaction import SessionDep
from shared.events.journal import JournalEntry

router = invoicing_router("/v1/journal", "journal")


@router.get("", summary="List journal entries")
async def list_journal(
    session: SessionDep,
    _: Reader,
    page: PageQuery,
    from_: Annotated[date | None, Query(alias="from", description="Posted on or after")] = None,
    to: Annotated[date | None, Query(description="Posted on or before")] = None,
) -> Page[JournalEntry]:
    """Every balanced entry invoicing posted (invoices, credit memos, voids) in date order:
    AR control, revenue by service line and sales tax payable by jurisdiction, with the
    business district on each posting."""
    statement = select(JournalRecord)
    if from_ is not None:
        statement = statement.where(col(JournalRecord.posted_on) >= from_)
    if to is not None:
        statement = statement.where(col(JournalRecord.posted_on) <= to)
    return await page_of(
        session,
        statement,
        order_by=[
            col(JournalRecord.posted_on),
            col(JournalRecord.created_at),
            col(JournalRecord.entry_id),
        ],
        params=page,
        item=lambda record: JournalEntry.model_validate(record.entry),
    )
