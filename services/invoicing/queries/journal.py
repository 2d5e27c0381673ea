"""Reading the journal invoicing posted."""

from datetime import date

from sqlalchemy import Select
from sqlmodel import col, select

from services.invoicing.models.journal import JournalRecord


def journal_records(*, from_: date | None = None, to: date | None = None) -> Select:  # type: ignore[type-arg]
    """Journal records posted on or after `from_` and on or before `to`, where given."""
    statement = select(JournalRecord)
    if from_ is not None:
        statement = statement.where(col(JournalRecord.posted_on) >= from_)
    if to is not None:
        statement = statement.where(col(JournalRecord.posted_on) <= to)
    return statement
