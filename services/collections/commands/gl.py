"""Exporting a GL batch: every posting dated on or before the day or the month's end that no
batch has taken yet, under the next number. They are taken set-based (INSERT ... SELECT), so a
month of a million postings is a few statements; the postings' own key makes a second batch of
the same posting impossible. The batch's summary is written with it and never changes."""

from datetime import date

from sqlalchemy import ColumnElement, func, insert, literal, select, text
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from services.collections.domain.gl import BatchKind, BatchLine, Posting, summarise
from services.collections.models import GLBatch, GLBatchLine, GLBatchPosting, JournalLine
from shared.api.problems import BusinessRuleViolation
from shared.audit import record_change
from shared.auth import Principal
from shared.db import on_postgres
from shared.numbering import next_in_series

SERIES = "gl-batch"


async def export_batch(
    session: AsyncSession,
    kind: BatchKind,
    label: str,
    through: date,
    actor: Principal,
    *,
    today: date,
) -> GLBatch:
    """The batch of `label` (a day or a month ending `through`). A posting dated earlier that
    arrives after an earlier batch went out (a late posting) goes into this one; a batch once
    written never changes. Nothing to export is a 422, so no empty batch takes a number."""
    if through >= today:
        raise BusinessRuleViolation(f"{label} has not ended yet: export it from the day after")
    # Taking the number first locks the series row: concurrent exports queue here, and each
    # then sees what the one before took.
    number = await next_in_series(session, SERIES)
    taken = select(GLBatchPosting.entry_id).where(
        col(GLBatchPosting.entry_id) == col(JournalLine.entry_id),
        col(GLBatchPosting.line_no) == col(JournalLine.line_no),
    )
    due = (col(JournalLine.posted_on) <= through, ~taken.exists())
    if on_postgres(session):
        lines = await _take_on_postgres(session, number, due)
    else:
        untaken = select(col(JournalLine.entry_id), col(JournalLine.line_no), literal(number))
        await session.exec(
            insert(GLBatchPosting).from_select(
                ["entry_id", "line_no", "batch_number"], untaken.where(*due)
            )
        )
        lines = await _summed(session, number)
    count = sum(line.postings for line in lines)
    if not count:
        raise BusinessRuleViolation(f"no posting dated through {through} is left to export")
    batch = GLBatch(
        number=number,
        kind=kind,
        label=label,
        through=through,
        postings=count,
        exported_by=actor.subject,
    )
    session.add(batch)
    session.add_all(
        GLBatchLine(
            batch_number=number,
            currency=line.currency,
            account=line.account,
            department=line.department,
            debit=line.debit,
            credit=line.credit,
            postings=line.postings,
        )
        for line in lines
    )
    record_change(
        session,
        actor=actor,
        action="gl_batch.exported",
        entity_type="gl_batch",
        entity_id=str(number),
        changes={"label": label, "through": str(through), "postings": count},
    )
    await session.flush()
    return batch


async def _take_on_postgres(
    session: AsyncSession, number: int, due: tuple[ColumnElement[bool], ...]
) -> list[BatchLine]:
    """The due postings chosen into a temporary table first, then inserted: an INSERT reading
    the table it fills rescans, for every posting, the pages it has just written (the planner,
    seeing the table empty, loops over it), and a million postings take minutes instead of
    seconds. They go in sorted by key, so the key's index is filled page by page instead of
    at random; the summary is summed from the same chosen rows. The values bound in are a date
    and the batch number, never text from a request."""
    chosen = select(
        col(JournalLine.entry_id),
        col(JournalLine.line_no),
        col(JournalLine.currency),
        col(JournalLine.account),
        func.coalesce(col(JournalLine.business_district), "").label("department"),
        col(JournalLine.debit),
        col(JournalLine.credit),
    ).where(*due)
    sql = chosen.compile(dialect=session.get_bind().dialect, compile_kwargs={"literal_binds": True})
    await session.exec(text(f"CREATE TEMPORARY TABLE gl_chosen ON COMMIT DROP AS {sql}"))
    await session.exec(
        text(
            "INSERT INTO gl_batch_postings (entry_id, line_no, batch_number) "
            "SELECT entry_id, line_no, :number FROM gl_chosen ORDER BY entry_id, line_no"
        ).bindparams(number=number)
    )
    rows = await session.exec(
        text(
            "SELECT currency, account, department, SUM(debit), SUM(credit), COUNT(*) "
            "FROM gl_chosen GROUP BY currency, account, department"
        )
    )
    return sorted(
        (BatchLine(*row) for row in rows.all()),
        key=lambda line: (line.currency, line.account, line.department),
    )


async def _summed(session: AsyncSession, number: int) -> list[BatchLine]:
    """The batch's postings summed in Python (SQLite keeps money as text; embedded is small)."""
    rows = await session.exec(
        select(
            JournalLine.currency,
            JournalLine.account,
            JournalLine.business_district,
            JournalLine.debit,
            JournalLine.credit,
        ).where(
            col(JournalLine.entry_id) == col(GLBatchPosting.entry_id),
            col(JournalLine.line_no) == col(GLBatchPosting.line_no),
            col(GLBatchPosting.batch_number) == number,
        )
    )
    return summarise(Posting(*row) for row in rows.all())
