"""Exporting a GL batch: every posting dated on or before the day or the month's end that no
batch has taken yet, under the next number. One INSERT ... SELECT takes them, so a month of a
million postings is one statement; the postings' own key makes a second batch of the same
posting impossible."""

from datetime import date

from sqlalchemy import insert, literal, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from services.collections.domain.gl import BatchKind
from services.collections.models import GLBatch, GLBatchPosting, JournalLine
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
    inserted = await session.exec(
        insert(GLBatchPosting).from_select(
            ["entry_id", "line_no", "batch_number"],
            select(col(JournalLine.entry_id), col(JournalLine.line_no), literal(number)).where(
                col(JournalLine.posted_on) <= through, ~taken.exists()
            ),
        )
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
