"""Exporting a GL batch: every posting dated on or before the day or the month's end that no
batch has taken yet, under the next number. One INSERT ... SELECT takes them, so a month of a
million postings is one statement; the postings' own key makes a second batch of the same
posting impossible."""

from datetime import date

from sqlalchemy import insert, literal, select, text
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from services.collections.domain.gl import BatchKind
from services.collections.models import GLBatch, GLBatchPosting, JournalLine
from services.collections.queries.sums import on_postgres
from shared.api.problems import BusinessRuleViolation
from shared.audit import record_change
from shared.auth import Principal
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
    untaken = select(col(JournalLine.entry_id), col(JournalLine.line_no), literal(number)).where(
        col(JournalLine.posted_on) <= through, ~taken.exists()
    )
    if on_postgres(session):
        # Chosen first, then inserted: an INSERT reading the table it fills rescans, for every
        # posting, the pages it has just written (the planner, seeing the table empty, loops
        # over it), and a million postings take minutes instead of seconds. The values bound
        # in are a date and the batch number, never text from a request.
        chosen = untaken.compile(
            dialect=session.get_bind().dialect, compile_kwargs={"literal_binds": True}
        )
        await session.exec(text(f"CREATE TEMPORARY TABLE gl_chosen ON COMMIT DROP AS {chosen}"))
        untaken = select(text("*")).select_from(text("gl_chosen"))
    inserted = await session.exec(
        insert(GLBatchPosting).from_select(["entry_id", "line_no", "batch_number"], untaken)
    )
    count = inserted.rowcount  # type: ignore[attr-defined]
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
