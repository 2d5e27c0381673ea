"""Gathering a customer's evidence for the scorecard (domain/scoring.py) from credit's own data."""

import uuid
from datetime import date
from decimal import Decimal

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.credit.domain.bureau import is_expired
from services.credit.domain.scoring import Score, ScoreInputs, score
from services.credit.ledger import PAYMENT
from services.credit.models import BureauReport, ReceivableItem, ReferenceCheck
from services.credit.position import INVOICE, load_position
from services.credit.repository import get_account
from services.credit.settings import CreditSettings

RECEIVED = "received"


async def newest_report(session: AsyncSession, customer_id: uuid.UUID) -> BureauReport | None:
    return (
        await session.exec(
            select(BureauReport)
            .where(BureauReport.customer_id == customer_id, BureauReport.status == RECEIVED)
            .order_by(col(BureauReport.reported_on).desc(), col(BureauReport.pulled_at).desc())
        )
    ).first()


def payment_days_beyond_terms(paid: list[tuple[Decimal, date, date]]) -> Decimal | None:
    """Amount-weighted average of (paid date − due date) over paid invoices (domain.md)."""
    weight = sum((amount for amount, _, _ in paid), Decimal(0))
    if not paid or weight <= 0:
        return None
    days = sum((amount * (paid_on - due).days for amount, paid_on, due in paid), Decimal(0))
    return days / weight


async def _history(
    session: AsyncSession, customer_id: uuid.UUID
) -> tuple[Decimal | None, int, date | None]:
    items = (
        await session.exec(
            select(
                ReceivableItem.kind,
                ReceivableItem.amount,
                ReceivableItem.document_date,
                ReceivableItem.due_date,
                ReceivableItem.paid_on,
                ReceivableItem.reversed_on,
            )
            .where(ReceivableItem.customer_id == customer_id)
            .where(col(ReceivableItem.kind).in_([INVOICE, PAYMENT]))
        )
    ).all()
    invoices = [i for i in items if i.kind == INVOICE]
    paid = [(i.amount, i.paid_on, i.due_date) for i in invoices if i.paid_on and i.due_date]
    returned = sum(1 for i in items if i.kind == PAYMENT and i.reversed_on is not None)
    first_invoice = min((i.document_date for i in invoices), default=None)
    return payment_days_beyond_terms(paid), returned, first_invoice


async def score_customer(
    session: AsyncSession, customer_id: uuid.UUID, settings: CreditSettings
) -> Score:
    await get_account(session, customer_id)
    today = settings.current_date()
    position = await load_position(session, customer_id, today=today)
    assert position is not None  # the account exists
    report = await newest_report(session, customer_id)
    if report is not None and is_expired(
        report.reported_on, today=today, max_age_days=settings.bureau_report_max_age_days
    ):
        report = None
    references = (
        await session.exec(
            select(ReferenceCheck.days_beyond_terms).where(
                ReferenceCheck.customer_id == customer_id,
                col(ReferenceCheck.verified).is_(True),
                col(ReferenceCheck.days_beyond_terms).is_not(None),
            )
        )
    ).all()
    dbt, returned, first_invoice = await _history(session, customer_id)
    limit = position.credit_limit
    return score(
        ScoreInputs(
            bureau_score=report.score if report else None,
            bureau_payment_index=report.payment_index if report else None,
            derogatory_items=report.derogatory_items if report else None,
            reference_days_beyond_terms=[int(d) for d in references if d is not None],
            payment_days_beyond_terms=dbt,
            returned_payments=returned,
            utilisation=position.exposure.total / limit if limit else None,
            relationship_days=(today - first_invoice).days if first_invoice else None,
        )
    )
