"""Reading bureau checks: a customer's, one by id, and the newest that brought findings."""

import uuid

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.credit.domain.bureau import ReportStatus
from services.credit.models import BureauReport
from shared.api.problems import NotFound


async def get_report(session: AsyncSession, report_id: uuid.UUID) -> BureauReport:
    report = await session.get(BureauReport, report_id)
    if report is None:
        raise NotFound(f"no bureau report {report_id}")
    return report


async def customer_reports(session: AsyncSession, customer_id: uuid.UUID) -> list[BureauReport]:
    """Every check for the customer, newest first."""
    reports = await session.exec(
        select(BureauReport)
        .where(BureauReport.customer_id == customer_id)
        .order_by(col(BureauReport.pulled_at).desc())
    )
    return list(reports)


async def newest_report(session: AsyncSession, customer_id: uuid.UUID) -> BureauReport | None:
    """The customer's most recent check that brought findings back."""
    return (
        await session.exec(
            select(BureauReport)
            .where(
                BureauReport.customer_id == customer_id,
                BureauReport.status == ReportStatus.RECEIVED,
            )
            .order_by(col(BureauReport.reported_on).desc(), col(BureauReport.pulled_at).desc())
        )
    ).first()
