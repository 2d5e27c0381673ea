"""Reads for dunning: the letters sent, and who is not to be dunned."""

import uuid
from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from services.collections.domain import work as rules
from services.collections.models import Dispute, DunningNotice, PromiseToPay


def dunning_notices(customer_id: uuid.UUID | None) -> SelectOfScalar[DunningNotice]:
    statement = select(DunningNotice)
    if customer_id is not None:
        statement = statement.where(DunningNotice.customer_id == customer_id)
    return statement


async def disputed_invoices(session: AsyncSession) -> set[uuid.UUID]:
    """Invoices under an open dispute: never dunned while it lasts."""
    statement = select(Dispute.invoice_id).where(
        Dispute.status == rules.DisputeStatus.OPEN, col(Dispute.invoice_id).is_not(None)
    )
    return {invoice_id for invoice_id in (await session.exec(statement)).all() if invoice_id}


async def promising_customers(session: AsyncSession, as_of: date) -> set[uuid.UUID]:
    """Customers with a live promise to pay on `as_of`."""
    statement = select(PromiseToPay).where(col(PromiseToPay.promised_on) >= as_of)
    return {
        p.customer_id
        for p in (await session.exec(statement)).all()
        if rules.promise_status(p.promised_on, p.kept_on, as_of) is rules.PromiseStatus.LIVE
    }
