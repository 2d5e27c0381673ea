"""Reading credit holds: the customer's open one, and the list people browse."""

import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.credit.domain.holds import PastDueInvoice
from services.credit.models import CreditDispute, CreditHold, ReceivableItem
from services.credit.queries.position import INVOICE, disputed_by_invoice

# Oldest first; the id breaks ties so the cursor order is total.
HOLD_ORDER = [col(CreditHold.placed_at), col(CreditHold.id)]


async def open_hold(session: AsyncSession, customer_id: uuid.UUID) -> CreditHold | None:
    return (
        await session.exec(
            select(CreditHold).where(
                CreditHold.customer_id == customer_id, col(CreditHold.released_at).is_(None)
            )
        )
    ).first()


def search_holds(*, customer_id: uuid.UUID | None, open_only: bool) -> Select[Any]:
    """Holds of the customer (or everyone's), only those not released yet if `open_only`."""
    statement = select(CreditHold)
    if customer_id is not None:
        statement = statement.where(CreditHold.customer_id == customer_id)
    if open_only:
        statement = statement.where(col(CreditHold.released_at).is_(None))
    return statement


async def past_due_invoices(
    session: AsyncSession, customer_id: uuid.UUID, *, today: date, hold_days_past_due: int
) -> list[PastDueInvoice]:
    """The customer's open invoices more than `hold_days_past_due` days past due, oldest first,
    but for those disputed in full."""
    cutoff = today - timedelta(days=hold_days_past_due)
    statement = (
        select(ReceivableItem)
        .where(
            ReceivableItem.customer_id == customer_id,
            col(ReceivableItem.is_open).is_(True),
            ReceivableItem.kind == INVOICE,
            col(ReceivableItem.due_date) < cutoff,
        )
        .order_by(col(ReceivableItem.due_date), col(ReceivableItem.id))
    )
    open_disputes = await session.exec(
        select(CreditDispute.invoice_id, CreditDispute.amount).where(
            CreditDispute.customer_id == customer_id, col(CreditDispute.resolved_on).is_(None)
        )
    )
    # An invoice disputed in full is not chased meanwhile, so it is no reason for a hold.
    disputed = disputed_by_invoice(
        [(invoice, Decimal(amount)) for invoice, amount in open_disputes]
    )
    return [
        PastDueInvoice(item.id, item.number, (today - item.due_date).days)
        for item in (await session.exec(statement)).all()
        if item.balance > disputed.get(item.id, Decimal(0)) and item.due_date is not None
    ]
