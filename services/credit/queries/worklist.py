"""The credit manager's worklist: limit reviews coming due and bureau reports that expired."""

from datetime import timedelta

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.credit.domain.bureau import ReportStatus
from services.credit.models import BureauReport, CreditAccount, CreditLine
from services.credit.schemas import WorkItem, WorkKind
from services.credit.settings import CreditSettings
from shared.clock import Clock


async def worklist(
    session: AsyncSession, settings: CreditSettings, *, clock: Clock
) -> list[WorkItem]:
    """Oldest first: reviews due within the configured window (or overdue), and customers with
    credit whose newest bureau report is older than the configured age."""
    today = clock.today()
    horizon = today + timedelta(days=settings.review_window_days)
    reviews = (
        await session.exec(
            select(
                CreditLine.customer_id,
                CreditLine.review_on,
                CreditAccount.account_number,
                CreditAccount.legal_name,
            )
            .outerjoin(CreditAccount, col(CreditAccount.id) == col(CreditLine.customer_id))
            .where(col(CreditLine.review_on) <= horizon)
        )
    ).all()
    newest = (
        select(BureauReport.customer_id, func.max(BureauReport.reported_on).label("reported_on"))
        .where(BureauReport.status == ReportStatus.RECEIVED)
        .group_by(col(BureauReport.customer_id))
        .subquery()
    )
    cutoff = today - timedelta(days=settings.bureau_report_max_age_days)
    expired = (
        await session.exec(
            select(
                newest.c.customer_id,
                newest.c.reported_on,
                CreditAccount.account_number,
                CreditAccount.legal_name,
            )
            .join(CreditLine, col(CreditLine.customer_id) == newest.c.customer_id)
            .outerjoin(CreditAccount, col(CreditAccount.id) == newest.c.customer_id)
            .where(newest.c.reported_on < cutoff)
        )
    ).all()
    items = [
        WorkItem(
            customer_id=c, due_on=due, account_number=n, legal_name=name, kind=WorkKind.REVIEW_DUE
        )
        for c, due, n, name in reviews
    ] + [
        WorkItem(
            customer_id=c,
            account_number=n,
            legal_name=name,
            kind=WorkKind.REPORT_EXPIRED,
            due_on=reported_on + timedelta(days=settings.bureau_report_max_age_days + 1),
        )
        for c, reported_on, n, name in expired
    ]
    return sorted(items, key=lambda item: (item.due_on, str(item.customer_id)))
