"""Gathering a customer's evidence for the scorecard (domain/scoring.py) from credit's own data."""

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.credit.domain.bureau import is_expired
from services.credit.domain.promises import Promise, Received, broken_promises
from services.credit.domain.scoring import Score, ScoreInputs, score
from services.credit.models import PaymentPromise, ReceivableItem, ReferenceCheck
from services.credit.queries.accounts import get_account
from services.credit.queries.bureau import newest_report
from services.credit.queries.position import INVOICE, PAYMENT, load_position
from services.credit.settings import CreditSettings
from shared.clock import Clock


def payment_days_beyond_terms(paid: list[tuple[Decimal, date, date]]) -> Decimal | None:
    """Amount-weighted average of (paid date − due date) over paid invoices
    (docs/domain.md#days-beyond-terms)."""
    weight = sum((amount for amount, _, _ in paid), Decimal(0))
    if not paid or weight <= 0:
        return None
    days = sum((amount * (paid_on - due).days for amount, paid_on, due in paid), Decimal(0))
    return days / weight


@dataclass(frozen=True)
class History:
    """The customer's record with us, from the receivables and promises credit keeps."""

    days_beyond_terms: Decimal | None
    returned_payments: int
    broken_promises: int
    first_invoice: date | None


async def _history(session: AsyncSession, customer_id: uuid.UUID, today: date) -> History:
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
    payments = [i for i in items if i.kind == PAYMENT]
    paid = [(i.amount, i.paid_on, i.due_date) for i in invoices if i.paid_on and i.due_date]
    # A returned payment never paid anything: it keeps no promise.
    received = [Received(p.document_date, -p.amount) for p in payments if p.reversed_on is None]
    promises = (
        await session.exec(select(PaymentPromise).where(PaymentPromise.customer_id == customer_id))
    ).all()
    return History(
        days_beyond_terms=payment_days_beyond_terms(paid),
        returned_payments=sum(1 for p in payments if p.reversed_on is not None),
        broken_promises=broken_promises(
            [Promise(p.amount, p.recorded_on, p.promised_on) for p in promises],
            received,
            today=today,
        ),
        first_invoice=min((i.document_date for i in invoices), default=None),
    )


async def score_customer(
    session: AsyncSession, customer_id: uuid.UUID, settings: CreditSettings, *, clock: Clock
) -> Score:
    await get_account(session, customer_id)
    today = clock.today()
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
    history = await _history(session, customer_id, today)
    limit = position.credit_limit
    return score(
        ScoreInputs(
            bureau_score=report.score if report else None,
            bureau_payment_index=report.payment_index if report else None,
            derogatory_items=report.derogatory_items if report else None,
            reference_days_beyond_terms=[int(d) for d in references if d is not None],
            payment_days_beyond_terms=history.days_beyond_terms,
            returned_payments=history.returned_payments,
            broken_promises=history.broken_promises,
            utilisation=position.exposure.total / limit if limit else None,
            relationship_days=(today - history.first_invoice).days
            if history.first_invoice
            else None,
        )
    )
