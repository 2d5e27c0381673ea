"""Reads for dunning: the letters sent, and who is not to be dunned."""

import uuid
from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from services.collections.domain import work as rules
from services.collections.models import Dispute, DunningNotice, PromiseToPay
from services.collections.queries.accounts import of_customers_in_scope
from shared.auth import UNLIMITED, Scope


def dunning_notices(
    customer_id: uuid.UUID | None, scope: Scope = UNLIMITED
) -> SelectOfScalar[DunningNotice]:
    statement = select(DunningNotice)
    if customer_id is not None:
        statement = statement.where(DunningNotice.customer_id == customer_id)
    return of_customers_in_scope(statement, scope, DunningNotice.customer_id)


async def disputed_invoices(session: AsyncSession) -> dict[uuid.UUID, Decimal]:
    """What is under open dispute on each invoice: that much is never dunned while it lasts."""
    statement = select(col(Dispute.invoice_id), col(Dispute.amount)).where(
        Dispute.status == rules.DisputeStatus.OPEN, col(Dispute.invoice_id).is_not(None)
    )
    disputed: dict[uuid.UUID, Decimal] = defaultdict(Decimal)
    for invoice_id, amount in (await session.exec(statement)).all():
        if invoice_id is not None:
            disputed[invoice_id] += amount
    return dict(disputed)


async def letters_sent(
    session: AsyncSession, as_of: date
) -> dict[tuple[uuid.UUID, str], list[DunningNotice]]:
    """Each customer's (and currency's) dunning letters sent on or before `as_of`, oldest first."""
    statement = (
        select(DunningNotice)
        .where(col(DunningNotice.sent_on) <= as_of)
        .order_by(col(DunningNotice.sent_on), col(DunningNotice.stage))
    )
    sent: dict[tuple[uuid.UUID, str], list[DunningNotice]] = defaultdict(list)
    for notice in (await session.exec(statement)).all():
        sent[(notice.customer_id, notice.currency)].append(notice)
    return dict(sent)


async def promising_customers(session: AsyncSession, as_of: date) -> set[uuid.UUID]:
    """Customers with a live promise to pay on `as_of`."""
    statement = select(PromiseToPay).where(col(PromiseToPay.promised_on) >= as_of)
    return {
        p.customer_id
        for p in (await session.exec(statement)).all()
        if rules.promise_status(p.promised_on, p.kept_on, as_of) is rules.PromiseStatus.LIVE
    }
